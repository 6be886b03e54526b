"""Every date box is given its value as the browser's date picker reads it (2026-12-03),
whatever the page's language: a localised value (2026年12月3日) leaves the box empty on a
phone, and a required date then fails for a reason the user cannot see."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

FORM_MODULES = [
    "casework.forms",
    "childcare.family_forms",
    "childcare.forms",
    "childcare.start_forms",
    "communities.forms",
    "eldercare.device_views",
    "eldercare.forms",
]


def date_fields() -> list[tuple[str, str, forms.Widget]]:
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module_name:
                continue
            for field_name, field in cls.base_fields.items():
                if getattr(field.widget, "input_type", "") in ("date", "datetime-local"):
                    found.append((f"{name}.{field_name}", field.widget.input_type, field.widget))
    return found


def test_the_forms_have_date_boxes_to_check():
    assert len(date_fields()) >= 10


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_date_box_renders_its_value_as_the_date_picker_reads_it(language):
    moment = datetime.datetime(2026, 12, 3, 8, 40)
    with translation.override(language):
        for label, input_type, widget in date_fields():
            value = datetime.date(2026, 12, 3) if input_type == "date" else moment
            html = widget.render("x", value)
            expected = "2026-12-03" if input_type == "date" else "2026-12-03T08:40"
            assert f'value="{expected}"' in html, (label, html)
