"""The four subsidy categories of the shared-partner model, as data a deployment can change:
every enrolled child, a second or third child, a low-income household, a child in distress.
The amounts are on each station's price list."""

from django.db import migrations

DEFAULTS = [
    (
        "every-child",
        "普惠托育补贴（每名在托幼儿）",
        "Inclusive childcare subsidy (every child)",
        True,
    ),
    ("second-third-child", "二孩、三孩家庭补贴", "Second or third child", False),
    ("low-income-household", "低收入家庭补贴", "Low-income household", False),
    ("child-in-distress", "困境儿童补贴", "Child in distress", False),
]


def add_defaults(apps, schema_editor):
    SubsidyCategory = apps.get_model("billing", "SubsidyCategory")
    for code, name, name_en, for_every_child in DEFAULTS:
        SubsidyCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "for_every_child": for_every_child},
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_billing")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
