#!/usr/bin/env python3
"""The HTML page of `cairn diagram`, opened in headless Chromium as a reader
would open it: a screenshot that is not blank, the page's title, the
diagram's <svg> in the DOM once the page's script ran, and the filter box
and the selection driven through the DOM (the page reads "#filter=TEXT" and
"#select=NAME" from its address, as a shared link would carry them). The
page must need no network: Chromium runs with the network shut off.

usage: diagram_browser.py CHROMIUM (exit 77, skipped, when CHROMIUM is "")
Environment: CAIRN_STAGE, CAIRN_SOURCE_DIR."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

STAGE = os.environ["CAIRN_STAGE"]
SRC = os.environ["CAIRN_SOURCE_DIR"]
CAIRN = os.path.join(STAGE, "bin", "cairn")
failed = 0


def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg, file=sys.stderr)


def expect(cond, msg):
    if not cond:
        fail(msg)


def cairn(cwd, *args):
    p = subprocess.run([CAIRN, *args], cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("cairn %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def chromium(browser, profile, *args):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,900",
           # no network: the page must hold everything it shows
           "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    return p.returncode, p.stdout, p.stderr


def png_pixels(path):
    """(width, height, rows of bytes) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unexpected PNG format %s" % (hdr,))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def li_state(dom, name):
    """The <li> of the table list for `name`, as serialised."""
    m = re.search(r'<li[^>]*data-name="%s"[^>]*>' % re.escape(name), dom)
    return m.group(0) if m else ""


def main():
    browser = sys.argv[1] if len(sys.argv) > 1 else ""
    if not browser or not shutil.which(browser):
        print("skipped: no Chromium was found when the build was configured (install the "
              "Debian package chromium, or run scripts/deps.sh test, and configure again)")
        return 77
    work = tempfile.mkdtemp(prefix="cairn-browser.")
    try:
        proj = os.path.join(work, "p")
        os.makedirs(proj)
        with open(os.path.join(proj, "cairn.json"), "w") as f:
            f.write('{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json",'
                    ' "out": "migrations" }\n')
        ev = os.path.join(SRC, "tests", "cli", "evolve")
        shutil.copy(os.path.join(ev, "01_create.json"), os.path.join(proj, "schema.json"))
        cairn(proj, "generate", "--name", "init")
        cairn(proj, "migrate")
        shutil.copy(os.path.join(ev, "04_add_child_with_cascade.json"),
                    os.path.join(proj, "schema.json"))
        cairn(proj, "generate", "--name", "comments")
        cairn(proj, "diagram", "--output", "report.html")
        cairn(proj, "--url", "sqlite:app.db", "diagram", "--output", "live.html")
        page = "file://" + os.path.join(proj, "report.html")
        with open(os.path.join(proj, "report.html"), encoding="utf-8") as f:
            html = f.read()
        outside = re.findall(r'(?:src|href|url)\s*[=(]\s*["\']?(?:https?:)?//[^"\' )]*', html)
        expect(not outside, "the page refers to the network: %s" % outside[:3])
        expect("<script src" not in html and "<link" not in html,
               "the page loads no script or stylesheet file")
        profile = os.path.join(work, "profile")

        # a screenshot: the page draws something, not a blank window
        shot = os.path.join(work, "shot.png")
        rc, out, err = chromium(browser, profile, "--screenshot=" + shot, page)
        expect(rc == 0 and os.path.exists(shot), "screenshot failed (%d): %s" % (rc, err[-500:]))
        if os.path.exists(shot):
            w, h, bpp, rows = png_pixels(shot)
            colours, inked = set(), 0
            for r in rows[::4]:
                for x in range(0, w * bpp, bpp * 4):
                    px = r[x:x + 3]
                    colours.add(px)
                    inked += px != b"\xff\xff\xff"
            samples = (h // 4 + (h % 4 > 0)) * ((w + 3) // 4)
            expect(len(colours) > 20, "the screenshot has %d colours: blank?" % len(colours))
            expect(inked > samples // 20, "the screenshot is %d/%d white" % (samples - inked,
                                                                            samples))
            print("screenshot: %dx%d, %d colours, %d of %d samples not white"
                  % (w, h, len(colours), inked, samples))

        # the DOM after the page's script ran
        rc, dom, err = chromium(browser, profile, "--dump-dom", page)
        expect(rc == 0, "--dump-dom failed (%d): %s" % (rc, err[-500:]))
        expect("<title>Schema: schema.json</title>" in dom, "the page's title")
        expect(re.search(r"<svg[^>]*>", dom) is not None, "no <svg> in the DOM")
        for t in ("users", "posts", "comments"):
            expect(re.search(r'<g id="t\d+" class="node table">', dom) and
                   ">%s</text>" % t in dom, "table %s is not drawn in the DOM" % t)
            expect(li_state(dom, t), "table %s is not in the list" % t)
        expect('<p id="count">3 of 3 shown</p>' in dom,
               "the script did not count the tables: %s" % re.findall(r'<p id="count">.*?</p>', dom))
        expect("Migrations (2)" in dom and "_init</code>" in dom and "_comments</code>" in dom,
               "the migrations are listed")
        expect("CREATE TABLE" in dom, "a migration's SQL is on the page")

        # the filter box, driven by the page's own input handler
        rc, dom, err = chromium(browser, profile, "--dump-dom", page + "#filter=post")
        expect('<p id="count">1 of 3 shown</p>' in dom,
               "filter 'post': %s" % re.findall(r'<p id="count">.*?</p>', dom))
        expect("hidden" not in li_state(dom, "posts"), "filter 'post' hid posts")
        expect("hidden" in li_state(dom, "users"), "filter 'post' kept users in the list")
        expect(re.search(r'<g id="t\d+" class="node table dim">', dom) is not None,
               "filter 'post' dims the other tables in the diagram")

        # a selection: the table and its neighbours are marked
        rc, dom, err = chromium(browser, profile, "--dump-dom", page + "#select=posts")
        expect("sel" in li_state(dom, "posts"), "select posts: its list item is selected")
        expect("nb" in li_state(dom, "users") and "nb" in li_state(dom, "comments"),
               "select posts: users and comments are its neighbours")
        expect(len(re.findall(r'class="edge fk[^"]*hl"', dom)) == 2,
               "select posts: its two foreign keys are highlighted")

        # with the database: each migration's state
        rc, dom, err = chromium(browser, profile, "--dump-dom",
                                "file://" + os.path.join(proj, "live.html"))
        expect('<span class="st applied">applied</span>' in dom, "live: the applied migration")
        expect('<span class="st pending">pending</span>' in dom, "live: the pending migration")
        expect("<title>Schema: database</title>" in dom, "live: the title says database")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("failed: %d" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
