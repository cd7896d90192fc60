#!/usr/bin/env python3
"""Opens rebuy's HTML report in headless Chromium and checks that it renders.

    python3 tests/report/render_check.py REBUY [FIXTURE] [--keep DIR]

It writes the report of FIXTURE (default fixtures/generated.csv) into a temporary
folder, then with Debian's `chromium` (--headless --no-sandbox --disable-gpu):
  - the DOM after rendering holds exactly 8 <svg> elements (the curve of the time to
    the 2nd purchase, the ladder funnel, the trend's bars, the cohort heatmap, the
    retention curves, the RFM segments' and the tiers' shares, the products' purchase
    cycles), each with drawn shapes in it;
  - nothing is cut off: in a 1280-pixel window no element reaches past the page's
    right edge (a copy of the report measures itself with a script added for this
    check; the report itself has none);
  - no broken images: the page has no <img> at all (charts are inline SVG);
  - no console errors: Chromium's log of the page's console is empty;
  - a full-page screenshot (report.png), kept with --keep DIR for a look.
Exit 0 when all hold, 1 otherwise. .ci/run runs it when chromium is installed.
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def chromium(*args):
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def main():
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:
        i = args.index("--keep")
        keep = Path(args[i + 1])
        del args[i:i + 2]
    rebuy = args[0]
    fixture = args[1] if len(args) > 1 else str(ROOT / "fixtures" / "generated.csv")
    folder = Path(tempfile.mkdtemp(prefix="rebuy-report-"))
    problems = []
    try:
        html = folder / "report.html"
        subprocess.run([rebuy, "report", fixture, "-o", str(html)], check=True)
        url = html.as_uri()

        dom = chromium("--dump-dom", url)
        svgs = re.findall(r"<svg\b.*?</svg>", dom.stdout, flags=re.S)
        print(f"svg elements after rendering: {len(svgs)}")
        if len(svgs) != 8:
            problems.append(f"expected 8 <svg> elements, found {len(svgs)}")
        for i, svg in enumerate(svgs):
            shapes = len(re.findall(r"<(rect|polyline|path|circle)\b", svg))
            print(f"  chart {i + 1}: {shapes} shapes")
            if shapes < 5:
                problems.append(f"chart {i + 1} has only {shapes} shapes")
        images = re.findall(r"<img\b[^>]*>", dom.stdout)
        print(f"images: {len(images)}")
        broken = [i for i in images if "src=\"data:" not in i]
        if broken:
            problems.append(f"{len(broken)} images that need fetching: {broken[:3]}")

        # A copy that measures itself: the elements whose right edge passes the
        # window's, written into the DOM for --dump-dom to read.
        measured = folder / "measured.html"
        measured.write_text(html.read_text().replace("</body>", """<script>
window.addEventListener('load', () => {
  const wide = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'hidden') {
      const section = e.closest('section');
      const title = section ? section.querySelector('h2') : null;
      wide.push(e.tagName.toLowerCase() + ' in ' + (title ? title.textContent : 'the page') + ' ' + Math.round(r.right) + 'px');
    }
  }
  document.body.setAttribute('data-wide', wide.slice(0, 5).join('; ') || 'none');
});
</script></body>"""))
        laid_out = chromium("--dump-dom", "--window-size=1280,2000", "--virtual-time-budget=2000",
                            measured.as_uri())
        wide = re.search(r'data-wide="([^"]*)"', laid_out.stdout)
        print(f"wider than 1280 px: {wide.group(1) if wide else 'not measured'}")
        if not wide:
            problems.append("the layout could not be measured")
        elif wide.group(1) != "none":
            problems.append(f"cut off at 1280 px: {wide.group(1)}")

        shot = folder / "report.png"
        run = chromium(f"--screenshot={shot}", "--window-size=1280,6000",
                       "--hide-scrollbars", url)
        console = [line for line in (dom.stderr + run.stderr).splitlines()
                   if "CONSOLE" in line or "Uncaught" in line]
        print(f"console messages: {len(console)}")
        problems.extend(f"console: {line}" for line in console)
        if not shot.exists() or shot.stat().st_size < 20_000:
            problems.append("no screenshot, or a nearly empty one")
        else:
            print(f"screenshot: {shot.stat().st_size:,} bytes")
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            for name in ("report.html", "report.png"):
                shutil.copy(folder / name, keep / name)
            print(f"kept report.html and report.png in {keep}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for problem in problems:
        print(f"FAIL {problem}")
    print("report renders" if not problems else "report does not render as it should")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
