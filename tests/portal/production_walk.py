"""Run under the production settings (by tests/portal/test_csp.py, in a process of its own):
walk the home page, the language and elder-mode switches and a sign-in over HTTPS, and print
every response's security headers and every cookie set, as one JSON line."""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.test import Client

    from portal.accounts.models import User

    phone, password = sys.argv[1], "Production-walk-2024"
    User.objects.filter(phone=phone).delete()
    user = User.objects.create_user(phone=phone, phone_verified=True, password=password)
    try:
        client = Client(HTTP_HOST="portal.example.cn", HTTP_X_FORWARDED_PROTO="https")
        responses = [
            ("home", client.get("/")),
            ("sign-in page", client.get("/accounts/login/")),
            ("language", client.post("/preferences/language/", {"language": "en", "next": "/"})),
            ("elder mode", client.post("/preferences/elder-mode/", {"enabled": "1", "next": "/"})),
            ("sign-in", client.post("/accounts/login/", {"login": phone, "password": password})),
        ]
        # A user with no role yet is led on to register their family: follow to that page.
        start = client.get(responses[-1][1]["Location"], follow=True)
        responses.append(("start page", start))
        responses.append(("sign-out", client.post("/accounts/logout/")))
        report = {
            "require_totp": settings.PORTAL_REQUIRE_TOTP,
            "responses": [
                {
                    "step": step,
                    "status": r.status_code,
                    "csp": r.headers.get("Content-Security-Policy"),
                    "permissions": r.headers.get("Permissions-Policy"),
                    "server": r.headers.get("Server"),
                }
                for step, r in responses
            ],
            "cookies": [
                {"step": step, "name": name, "secure": bool(morsel["secure"])}
                for step, r in responses
                for name, morsel in r.cookies.items()
            ],
        }
    finally:
        user.delete()
    print("WALK " + json.dumps(report))


if __name__ == "__main__":
    main()
