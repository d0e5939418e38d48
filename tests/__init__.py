"""Cross-app suites: browser journeys (see docs/browser-tests.md)."""
