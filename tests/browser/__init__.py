"""Real-browser journeys in headless Chromium (Playwright), with axe-core."""
