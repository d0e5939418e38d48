"""Security headers every response must carry (used by the matrix and test_headers.py)."""


def header_problems(response) -> list[str]:
    """CSP without 'unsafe-inline' for scripts, no framing, no MIME sniffing, a referrer
    policy: whatever the response (page, JSON, file, redirect, error)."""
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d for d in (p.strip() for p in csp.split(";")) if d}
    script_src = directives.get("script-src", directives.get("default-src", ""))
    if not script_src or "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"CSP script-src : {script_src or 'absente'}")
    if directives.get("frame-ancestors") != "frame-ancestors 'none'" and (
        response.get("X-Frame-Options") != "DENY"
    ):
        problems.append("ni frame-ancestors 'none' ni X-Frame-Options: DENY")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options absent")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy : {response.get('Referrer-Policy')}")
    return problems
