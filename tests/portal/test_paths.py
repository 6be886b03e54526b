"""path_to: a named URL reversed once per process, never the copy of another URLconf or prefix."""

from django.http import HttpResponse
from django.urls import clear_script_prefix, include, path, reverse, set_script_prefix, set_urlconf


def _view(request):
    return HttpResponse()


# Another URLconf with the same namespaced name at another path (as a test's or a request's own).
urlpatterns = [
    path("elsewhere/", include(([path("mine/", _view, name="parent_home")], "childcare")))
]


from portal.paths import path_to  # noqa: E402


def test_it_gives_what_reverse_gives():
    assert path_to("childcare:child_detail", 7) == reverse("childcare:child_detail", args=[7])
    assert path_to("childcare:child_detail", 8) == reverse("childcare:child_detail", args=[8])
    assert path_to("childcare:parent_home") == reverse("childcare:parent_home")


def test_another_urlconf_gets_its_own_path():
    main = path_to("childcare:parent_home")
    set_urlconf(__name__)
    try:
        assert path_to("childcare:parent_home") == "/elsewhere/mine/"
    finally:
        set_urlconf(None)
    assert path_to("childcare:parent_home") == main != "/elsewhere/mine/"


def test_a_site_served_under_a_prefix_gets_paths_under_it():
    main = path_to("childcare:parent_home")
    set_script_prefix("/portal/")
    try:
        assert path_to("childcare:parent_home") == "/portal" + main
    finally:
        clear_script_prefix()
        set_script_prefix("/")
    assert path_to("childcare:parent_home") == main
