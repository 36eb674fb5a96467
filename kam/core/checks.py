"""System checks of the deployment: the production set-up (every command runs them; the
app server refuses to start on an error, kam.wsgi) and those that need the database
(``kam check --database default``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from kam.core.services.statistics import autovacuum_is_off


@register(Tags.database)
def autovacuum_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Any]:
    if not databases or "default" not in databases:
        return []
    if autovacuum_is_off():
        return [
            Warning(
                "PostgreSQL's autovacuum is off.",
                hint=(
                    "KAM's pages read covering indexes and the planner's statistics, which "
                    "autovacuum keeps current; turn it on (autovacuum = on, the default) or "
                    "run 'VACUUM (ANALYZE)' regularly."
                ),
                id="kam.W001",
            )
        ]
    return []


def static_manifest_missing() -> Error | None:
    """Production serves the files ``kam collectstatic`` built, named in its manifest;
    without it every page would fail on its first stylesheet."""
    if not settings.PRODUCTION:
        return None
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        return None
    return Error(
        f"Production mode finds no static files: {manifest} is missing.",
        hint="Run `kam collectstatic --noinput` with the same environment (KAM_STATIC_ROOT "
        "or KAM_HOME) before starting the app server, once per release.",
        id="kam.E001",
    )


@register("kam_deployment")
def deployment_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    # A warning here, an error when the app server starts: `kam migrate` comes before
    # `kam collectstatic` in a deployment and must not stop on it.
    problems: list[Any] = []
    missing = static_manifest_missing()
    if missing:
        problems.append(Warning(missing.msg, hint=missing.hint, id="kam.W002"))
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not settings.KAM_TRUST_PROXY:
        problems.append(
            Warning(
                "KAM_SSL_REDIRECT is on but KAM_TRUST_PROXY is off.",
                hint="Behind a proxy that ends TLS, KAM sees plain http and redirects every "
                "request to https, forever: set KAM_TRUST_PROXY=1 when the proxy sets "
                "X-Forwarded-Proto (see the README's reverse-proxy example).",
                id="kam.W003",
            )
        )
    if settings.KAM_TRUST_PROXY and not settings.HTTPS:
        problems.append(
            Warning(
                "KAM_TRUST_PROXY is on but KAM_HTTPS is off.",
                hint="A proxy in front usually ends TLS: set KAM_HTTPS=1 for secure cookies "
                "and HSTS.",
                id="kam.W004",
            )
        )
    return problems


def refuse_to_serve_unready() -> None:
    """Called as the app server loads KAM: stop with the message rather than answer
    every request with a server error."""
    from django.core.exceptions import ImproperlyConfigured

    missing = static_manifest_missing()
    if missing:
        raise ImproperlyConfigured(f"{missing.msg} {missing.hint}")
