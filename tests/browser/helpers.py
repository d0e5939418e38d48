"""Helpers shared by every browser journey: a `Journey` that visits pages, runs axe-core and
takes screenshots; outbox reading; sign-in; TOTP codes; focus inspection.

A new journey only needs the `journey` fixture (see `docs/browser-tests.md`)::

    def test_something(journey):
        journey.goto("/appels/")
        journey.check("Liste des appels")          # axe + screenshots 1280/375 + no h-scroll
        journey.page.get_by_role("link", name="…").click()
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_DIR = ROOT / "node_modules" / "axe-core"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 740}
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING_IMPACTS = {"critical", "serious"}


# --------------------------------------------------------------------------- axe-core


def axe_source() -> str:
    """The pinned axe-core (npm package, installed by `npm ci`), with its French messages."""
    script = AXE_DIR / "axe.min.js"
    if not script.exists():
        raise FileNotFoundError(
            f"{script} est absent : lancez `make test-browser` (qui exécute `npm ci`)."
        )
    return script.read_text(encoding="utf-8")


def axe_locale() -> dict:
    return json.loads((AXE_DIR / "locales" / "fr.json").read_text(encoding="utf-8"))


def run_axe(page, source: str, locale: dict) -> list[dict]:
    """Run axe-core on the current page and return its violations.

    The site's CSP forbids inline scripts, so axe is not added as a <script> element: its
    source is evaluated through the DevTools protocol (`page.evaluate`), which the page's CSP
    does not govern. The CSP stays on for everything the page itself runs.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
        page.evaluate("locale => window.axe.configure({locale})", locale)
    result = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)})),
            }));
        }"""
    )
    return result


@dataclass
class AxeEntry:
    label: str
    path: str
    violations: list[dict]
    checks: int = 1

    def count(self, impact: str) -> int:
        return sum(len(v["nodes"]) for v in self.violations if v["impact"] == impact)

    def rules(self, impacts=IMPACTS) -> list[str]:
        return sorted({v["id"] for v in self.violations if v["impact"] in impacts})


@dataclass
class AxeReport:
    """Every page type checked during the session, for the table printed at the end."""

    entries: dict[str, AxeEntry] = field(default_factory=dict)

    def add(self, label: str, path: str, violations: list[dict]) -> None:
        path = RESET_UID.sub("/…/", TOKEN.sub("/…/", path)).replace("/…/…/", "/…/")
        entry = self.entries.get(label)
        if entry is None:
            self.entries[label] = AxeEntry(label, path, violations)
            return
        # The same page type reached twice: keep every distinct violation seen.
        known = {(v["id"], n["target"]) for v in entry.violations for n in v["nodes"]}
        for violation in violations:
            nodes = [n for n in violation["nodes"] if (violation["id"], n["target"]) not in known]
            if nodes:
                entry.violations.append({**violation, "nodes": nodes})
        entry.checks += 1

    def markdown(self) -> str:
        lines = [
            "| page | adresse | critical | serious | moderate | minor | règles |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        totals = Counter()
        for entry in sorted(self.entries.values(), key=lambda e: e.label):
            counts = {impact: entry.count(impact) for impact in IMPACTS}
            totals.update(counts)
            rules = ", ".join(entry.rules()) or "—"
            lines.append(
                f"| {entry.label} | `{entry.path}` | "
                + " | ".join(str(counts[i]) for i in IMPACTS)
                + f" | {rules} |"
            )
        lines.append(
            f"| **{len(self.entries)} pages** | | "
            + " | ".join(f"**{totals[i]}**" for i in IMPACTS)
            + " | |"
        )
        details = []
        for entry in sorted(self.entries.values(), key=lambda e: e.label):
            for violation in entry.violations:
                targets = "; ".join(f"`{n['target']}`" for n in violation["nodes"][:5])
                details.append(
                    f"- **{entry.label}** — {violation['impact']} `{violation['id']}` : "
                    f"{violation['help']} ({targets})"
                )
        text = "\n".join(lines)
        if details:
            text += "\n\nDétail des violations :\n\n" + "\n".join(details)
        return text + "\n"


AXE_REPORT = AxeReport()
# The user id of a password-reset link (before its token or « set-password »).
RESET_UID = re.compile(r"/[A-Za-z0-9_-]{1,6}/(?=set-password/|…/)")
# Links from e-mails, and UUIDs of files: one row per page type, whatever the file.
TOKEN = re.compile(
    r"/[^/]*-[0-9a-f]{20,}/|/[A-Za-z0-9_-]{2,}:[^/]+/"
    r"|/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/"
)

# Journeys run in this session: test name → (pages checked, seconds), for the summary.
JOURNEYS: dict[str, dict] = {}


# --------------------------------------------------------------------------- journeys


def slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it does not)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def table_box_overflow(page, selector: str) -> int:
    """How many pixels the widest of the boxes matching ``selector`` scrolls sideways
    (``scrollWidth`` − ``clientWidth``; 0 when its table fits)."""
    return page.evaluate(
        """(selector) => Math.max(0, ...[...document.querySelectorAll(selector)].map(
            (box) => box.scrollWidth - box.clientWidth))""",
        selector,
    )


def overflowing_elements(page) -> list[str]:
    """The elements sticking out to the right of the window (outside any scrolling box)."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth, found = [];
            for (const el of document.querySelectorAll('body *')) {
                if (el.getBoundingClientRect().right <= width + 1) continue;
                let parent = el.parentElement, clipped = false;
                for (; parent; parent = parent.parentElement) {
                    const overflow = getComputedStyle(parent).overflowX;
                    if (['auto', 'scroll', 'hidden', 'clip'].includes(overflow)) {
                        clipped = true;
                        break;
                    }
                }
                if (!clipped) {
                    const text = (el.textContent || '').trim().slice(0, 40);
                    found.push(`${el.tagName.toLowerCase()}.${el.className} « ${text} »`);
                }
            }
            return found.slice(0, 5);
        }"""
    )


class Journey:
    """A page in a real browser, tied to the live server, recording what it checks."""

    def __init__(self, page, base_url: str, name: str, axe: tuple[str, dict]):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.name = name
        self._axe_source, self._axe_locale = axe
        self._shots = 0
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()
        self.checked: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"erreur JS : {error}"))
        page.on("response", self._on_response)
        folder = SCREENSHOTS / name
        if folder.exists():
            for old in folder.glob("*.png"):
                old.unlink()

    # -- events
    def _on_console(self, message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource"):
            return  # reported with its address by _on_response
        self.problems.append(f"console : {message.text}")

    def _on_response(self, response):
        if response.status < 400:
            return
        navigation = response.request.is_navigation_request()
        if navigation and response.status in self.expected_statuses:
            return
        self.problems.append(f"HTTP {response.status} : {response.url}")

    # -- navigation
    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def goto(self, path: str, *, status: int = 200):
        """Open a page as if typed in the address bar; check its HTTP status."""
        if status >= 400:
            self.expected_statuses.add(status)
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"{path} : HTTP {response.status} au lieu de {status}"
        return response

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def expect_path(self, path: str) -> None:
        """Check the address (path and query; a « #fragment » left by a skip link is kept by
        browsers across form posts and redirects, and ignored here)."""
        self.page.wait_for_load_state()
        current = self.path.split("#")[0]
        assert current == path, f"adresse {current!r} au lieu de {path!r}"

    # -- checks
    def check(
        self, label: str, *, screenshot: bool = True, reflow: bool | None = None
    ) -> list[dict]:
        """Every page reached goes through here: no JS/CSP/HTTP error, axe-core clean of
        serious and critical violations, screenshots at 1280 and 375 px, no horizontal
        scroll at 375 px. `screenshot=False` leaves the window alone (e.g. an open menu);
        `reflow=True` with it still measures the 375 px width, without the images."""
        self.page.wait_for_load_state()
        assert not self.problems, f"{label} : " + " | ".join(self.problems)
        violations = run_axe(self.page, self._axe_source, self._axe_locale)
        AXE_REPORT.add(label, re.split(r"[?#]", self.path)[0], violations)
        self.checked.append(label)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{label} : violations axe bloquantes : " + json.dumps(
            blocking, ensure_ascii=False, indent=1
        )
        if screenshot:
            self.screenshots(label)
        elif reflow:
            self.expect_reflow(label)
        return violations

    def check_state(self, label: str) -> list[dict]:
        """A further state of a page already photographed (form errors, a confirmation):
        axe-core and the 375 px reflow, without screenshots (they cost the most time)."""
        return self.check(label, screenshot=False, reflow=True)

    def expect_reflow(self, label: str) -> None:
        original = self.page.viewport_size or DESKTOP
        self.page.set_viewport_size(MOBILE)
        overflow = horizontal_overflow(self.page)
        culprits = overflowing_elements(self.page) if overflow else []
        self.page.set_viewport_size(original)
        assert overflow == 0, (
            f"{label} : défilement horizontal de {overflow} px à 375 px, dû à : {culprits}"
        )

    def screenshots(self, label: str) -> None:
        self._shots += 1
        folder = SCREENSHOTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self._shots:02d}-{slug(label)}"
        original = self.page.viewport_size or DESKTOP
        self.page.set_viewport_size(DESKTOP)
        self.page.screenshot(path=folder / f"{stem}-1280.png", full_page=True)
        self.page.set_viewport_size(MOBILE)
        overflow = horizontal_overflow(self.page)
        self.page.screenshot(path=folder / f"{stem}-375.png", full_page=True)
        culprits = overflowing_elements(self.page) if overflow else []
        self.page.set_viewport_size(original)
        assert overflow == 0, (
            f"{label} : défilement horizontal de {overflow} px à 375 px, dû à : {culprits}"
        )

    def expect_status(self, status: int) -> None:
        """A navigation answered with this error status is expected (e.g. 429 lock-out)."""
        self.expected_statuses.add(status)

    # -- acting like a person
    def field(self, label: str):
        return field(self.page, label)

    def fill(self, values: dict[str, str]) -> None:
        """Type into fields found by their label (the hint text after it is ignored)."""
        for label, value in values.items():
            field(self.page, label).fill(value)

    def submit(self, button: str) -> None:
        """Press a button of the main content and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_role("main").get_by_role("button", name=button, exact=True).click()
        self.page.wait_for_load_state()

    # -- reading the page
    def focused(self) -> dict | None:
        return focused(self.page)

    def error_messages(self) -> list[str]:
        return [
            text.strip()
            for text in self.page.locator(".fr-error-text, .fr-alert--error").all_inner_texts()
        ]


def focused(page) -> dict | None:
    """Describe the element that has the keyboard focus (None for the document body)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body || el === document.documentElement) return null;
            const label = el.labels && el.labels.length ? el.labels[0].innerText : null;
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id || null,
                name: el.getAttribute('name'),
                href: el.getAttribute('href'),
                type: el.getAttribute('type'),
                text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
                label: label ? label.trim().replace(/\\s+/g, ' ') : null,
                visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length),
            };
        }"""
    )


def field(page, label: str):
    """The text field whose accessible name is `label`, optionally followed by its hint (the
    DSFR puts the hint inside the <label>; the « * » marker is aria-hidden)."""
    return page.get_by_role("textbox", name=re.compile("^" + re.escape(label) + "( |$)"))


def describe(element: dict | None) -> str:
    """A short, stable name for a focused element: its text, its label or its id."""
    if element is None:
        return "<body>"
    if element["tag"] in {"input", "select", "textarea"}:
        return f"champ {element['id']}"
    return element["text"] or element["id"] or element["tag"]


# --------------------------------------------------------------------------- outbox, sign-in


def outbox_link(to: str, pattern: str) -> str:
    """The link (matching `pattern`, a regex on the path) in the last e-mail queued for `to`.

    E-mails are read from the outbox rows (`core.models.OutboundEmail`), the source of truth,
    as a person would open the message in their mail client."""
    from core.models import OutboundEmail

    emails = [e for e in OutboundEmail.objects.order_by("-pk") if to in e.to]
    assert emails, f"aucun courriel dans la boîte d’envoi pour {to}"
    match = re.search(r"https?://\S*" + pattern + r"\S*", emails[0].body)
    assert match, f"aucun lien {pattern!r} dans le courriel « {emails[0].subject} »"
    return match.group(0)


def sign_in(journey: Journey, email: str, password: str, *, check: str | None = None) -> None:
    """Sign in through the real form (optionally checking the sign-in page first)."""
    journey.goto("/compte/connexion/")
    if check:
        journey.check(check)
    journey.fill({"Adresse électronique": email, "Mot de passe": password})
    journey.submit("Se connecter")


def sign_out(journey: Journey) -> None:
    journey.page.get_by_role("button", name="Se déconnecter").first.click()
    journey.page.wait_for_load_state()


# --------------------------------------------------------------------------- TOTP


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for the base-32 `secret` (spaces allowed).

    `steps_ahead=1` gives the next 30-second code: the server accepts one step of drift, and a
    code already used cannot be used again, so a second sign-in within the same 30 s uses it.
    """
    from django_otp.oath import totp

    key = base64.b32decode(secret.replace(" ", "").upper())
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def wrong_totp_code(secret: str) -> str:
    valid = {totp_code(secret, steps_ahead=n) for n in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "123456") if c not in valid)


def wait_for_otp_throttle(seconds: float = 1.1) -> None:
    """django-otp refuses any code for 1 s after a wrong one (then 2 s, 4 s…)."""
    time.sleep(seconds)
