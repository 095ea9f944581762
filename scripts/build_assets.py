"""Copy GOV.UK Frontend's built CSS and JavaScript into eoi/static/govuk/.

This service is not on GOV.UK, so the design system asks it not to use the GOV.UK
crown or the GDS Transport font: the fonts and crown images are not copied, and the
CSS is rewritten to use Arial (the design system's fallback) instead.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "eoi" / "static" / "govuk"

FONT_FACE = re.compile(r"@font-face\{[^}]*GDS Transport[^}]*\}")


def without_govuk_font(css: str) -> str:
    css = FONT_FACE.sub("", css)
    css = re.sub(r'(["\']?)GDS Transport\1,arial,sans-serif', "arial,sans-serif", css)
    css = re.sub(r'(["\']?)GDS Transport\1', "arial", css)
    # Source maps point at files we do not serve.
    return re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)


def main() -> int:
    sources = [SOURCE / "govuk-frontend.min.css", SOURCE / "govuk-frontend.min.js"]
    for needed in sources:
        if not needed.exists():
            print(
                f"error: {needed.relative_to(ROOT)} is missing; run `npm ci` first"
                " (make setup does).",
                file=sys.stderr,
            )
            return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    css = without_govuk_font((SOURCE / "govuk-frontend.min.css").read_text(encoding="utf-8"))
    for leftover in ("GDS Transport", "/assets/fonts/"):
        if leftover in css:
            print(f"error: the rewritten CSS still mentions {leftover!r}", file=sys.stderr)
            return 1
    (TARGET / "govuk-frontend.min.css").write_text(css, encoding="utf-8")
    js = (SOURCE / "govuk-frontend.min.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    (TARGET / "govuk-frontend.min.js").write_text(js, encoding="utf-8")
    shutil.rmtree(TARGET / "assets", ignore_errors=True)
    print(f"GOV.UK Frontend assets written to {TARGET.relative_to(ROOT)} (no crown, no GDS font)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
