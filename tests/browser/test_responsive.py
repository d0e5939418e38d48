"""Small screens and zoom: no page scrolls sideways at 375 px, nor at 200 % zoom (a 1280 px
window zoomed to 200 % lays pages out in 640 CSS px, at two device pixels per CSS pixel), nor
at 320 px (WCAG 1.4.10 « reflow », 400 % zoom), and text stays on screen and legible."""

import pytest

from accounts.factories import PASSWORD, UserFactory
from tests.browser.helpers import SCREENSHOTS, horizontal_overflow, sign_in

PUBLIC_PAGES = [
    "/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
    "/compte/connexion/",
    "/compte/inscription/",
    "/compte/mot-de-passe/",
    "/compte/confirmer-a-nouveau/",
    "/compte/inscription/envoyee/",
    # The public sections, on an empty database (the journeys check them filled at 375 px).
    "/appels/",
    "/annuaire/",
    "/annuaire/carte/",
    "/evenements/",
    "/accompagnement/",
    "/donnees-ouvertes/",
]
SIGNED_IN_PAGES = ["/compte/", "/"]

OFF_SCREEN_TEXT = """() => {
    const width = window.innerWidth;
    const selector = 'main h1, main h2, main h3, main p, main li, main label, main a, main button,'
        + ' main input, header a, header button, footer a';
    return [...document.querySelectorAll(selector)].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.left < -1 || r.right > width + 1);
    }).map(el => el.tagName.toLowerCase() + ': ' + (el.innerText || el.value || '').slice(0, 40));
}"""

# Text of the content or footer cut off by a box too narrow for it (the header's icon-only
# « Menu » button hides its word on purpose: its name is still read out).
CLIPPED_TEXT = """() => [...document.querySelectorAll('main *, footer *')].filter(el => {
    const style = getComputedStyle(el);
    return ['hidden', 'clip'].includes(style.overflowX) && el.innerText
        && el.getClientRects().length && el.scrollWidth > el.clientWidth + 1;
}).map(el => el.tagName.toLowerCase() + '.' + el.className)"""

# Smallest text of the content, in CSS pixels: zoom multiplies it (12 px, the DSFR's smallest
# size, is 24 device pixels at 200 %; the body text is 16 px).
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll('main p, main li, main label')]
    .filter(el => el.getClientRects().length && el.innerText.trim())
    .map(el => parseFloat(getComputedStyle(el).fontSize)))"""

SCREENS = {
    "375 px": {"viewport": {"width": 375, "height": 740}},
    "zoom 200 %": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
    "320 px": {"viewport": {"width": 320, "height": 640}},
}


@pytest.mark.parametrize("screen", SCREENS)
def test_pages_reflow_without_horizontal_scroll(screen, open_journey):
    UserFactory(email="petit.ecran@exemple.fr")
    journey = open_journey(**SCREENS[screen])
    problems = {}
    expected_ratio = SCREENS[screen].get("device_scale_factor", 1)

    def measure(path):
        journey.goto(path)
        journey.checked.append(path)
        assert journey.page.evaluate("() => window.devicePixelRatio") == expected_ratio
        overflow = horizontal_overflow(journey.page)
        off_screen = journey.page.evaluate(OFF_SCREEN_TEXT)
        clipped = journey.page.evaluate(CLIPPED_TEXT)
        smallest = journey.page.evaluate(SMALLEST_TEXT)
        if overflow or off_screen or clipped or smallest < 12:
            problems[path] = {
                "défilement": overflow,
                "hors écran": off_screen,
                "tronqué": clipped,
                "police": smallest,
            }

    for path in PUBLIC_PAGES:
        measure(path)
    sign_in(journey, "petit.ecran@exemple.fr", PASSWORD)
    for path in SIGNED_IN_PAGES:
        measure(path)
    assert problems == {}
    folder = SCREENSHOTS / journey.name
    folder.mkdir(parents=True, exist_ok=True)
    journey.page.screenshot(path=folder / "accueil-connecte.png", full_page=True)
