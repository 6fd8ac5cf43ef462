#!/usr/bin/env python3
"""Checks a browser's screenshot of a synack picture against the picture's own geometry.

usage: check_picture.py ladder|plot|html SCREENSHOT.png DOC

DOC is the SVG (or the HTML page) whose coordinates the pixels must match. It may be another
file than the one that was rendered: a broken rendering checked against a good picture's
geometry must fail. Checks, with the picture's documented colours:
  ladder: each lost frame's cross is red where the SVG puts it; every lifeline and the time
          axis have drawn pixels all along (and a lifeline where no state box covers it);
          between the lifelines, at the axis's ticks away from every arrow, the background.
  plot:   the lost marks are red, the data bars blue, the ACK line green, the axes drawn,
          and the empty parts of the time-sequence panel are background.
  html:   the ladder and the plot found on the page (at whatever offset the page puts them)
          with the same checks of crosses, lifelines, lost marks and the ACK line.
Prints one line per failed check; exit status 0 if all held, 1 if not, 2 on usage errors.
Only the Python standard library is used (zlib decodes the PNG)."""

import itertools
import math
import re
import struct
import sys
import zlib

LOST = (0xE0, 0x00, 0x00)
SEG = (0x1F, 0x4E, 0x9C)
ACK = (0x2C, 0xA0, 0x2C)


class Image:
    def __init__(self, path):
        data = open(path, "rb").read()
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("%s: not a PNG" % path)
        pos, idat, hdr = 8, [], None
        while pos + 8 <= len(data):
            n, typ = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + n]
            pos += 12 + n
            if typ == b"IHDR":
                hdr = struct.unpack(">IIBBBBB", body)
            elif typ == b"IDAT":
                idat.append(body)
            elif typ == b"IEND":
                break
        if hdr is None:
            raise ValueError("%s: no IHDR" % path)
        w, h, depth, ctype, _, _, interlace = hdr
        if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
            raise ValueError("%s: unsupported PNG (depth %d, colour type %d, interlace %d)" % (path, depth, ctype, interlace))
        bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
        self.w, self.h, self.bpp, self.grey = w, h, bpp, ctype in (0, 4)
        self.px = self._unfilter(zlib.decompress(b"".join(idat)), w, h, bpp)

    @staticmethod
    def _unfilter(raw, w, h, bpp):
        stride = w * bpp
        out = bytearray(h * stride)
        prev = bytes(stride)
        m7 = int.from_bytes(b"\x7f" * stride, "big")
        m8 = int.from_bytes(b"\x80" * stride, "big")
        p = 0
        for y in range(h):
            ft = raw[p]
            line = bytearray(raw[p + 1:p + 1 + stride])
            p += 1 + stride
            if ft == 1:
                for c in range(bpp):
                    line[c::bpp] = bytes(itertools.accumulate(line[c::bpp], lambda a, b: (a + b) & 255))
            elif ft == 2:
                # bytewise addition of two rows at once: no carry crosses a byte
                a = int.from_bytes(line, "big")
                b = int.from_bytes(prev, "big")
                line = bytearray((((a & m7) + (b & m7)) ^ ((a ^ b) & m8)).to_bytes(stride, "big"))
            elif ft == 3:
                for i in range(stride):
                    left = line[i - bpp] if i >= bpp else 0
                    line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
            elif ft == 4:
                for i in range(stride):
                    if i >= bpp:
                        a, c = line[i - bpp], prev[i - bpp]
                    else:
                        a = c = 0
                    b = prev[i]
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    line[i] = (line[i] + pr) & 255
            elif ft != 0:
                raise ValueError("bad PNG filter %d" % ft)
            out[y * stride:(y + 1) * stride] = line
            prev = line
        return out

    def rgb(self, x, y):
        if x < 0 or y < 0 or x >= self.w or y >= self.h:
            return (255, 255, 255)
        i = (y * self.w + x) * self.bpp
        if self.grey:
            v = self.px[i]
            return (v, v, v)
        return tuple(self.px[i:i + 3])


def dist(c, d):
    return max(abs(a - b) for a, b in zip(c, d))


def box(x, y, r):
    x, y = int(math.floor(x)), int(math.floor(y))
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            yield x + dx, y + dy


def has_colour(img, x, y, colour, r=1, tol=60):
    return any(dist(img.rgb(a, b), colour) <= tol for a, b in box(x, y, r))


def drawn(img, x, y, r=1):
    return any(dist(img.rgb(a, b), (255, 255, 255)) > 40 for a, b in box(x, y, r))


def blank(img, x, y, r=2):
    return all(dist(img.rgb(a, b), (255, 255, 255)) <= 12 for a, b in box(x, y, r))


ELEM = re.compile(r"<(\w+)\s([^>]*?)/?>")
ATTR = re.compile(r'([\w:.-]+)="([^"]*)"')


def elements(doc):
    for m in ELEM.finditer(doc):
        yield m.group(1), dict(ATTR.findall(m.group(2)))


def with_class(doc, tag, cls):
    return [a for t, a in elements(doc) if t == tag and cls in a.get("class", "").split()]


def f(a, k):
    return float(a[k])


def seg_dist(px, py, x1, y1, x2, y2):
    dx, dy = x2 - x1, y2 - y1
    n = dx * dx + dy * dy
    t = 0 if n == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / n))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def points(a):
    return [tuple(map(float, p.split(","))) for p in a.get("points", "").split()]


def svg_part(doc, cls):
    m = re.search(r'<svg [^>]*class="%s"' % cls, doc)
    if not m:
        return None
    end = doc.find("</svg>", m.start())
    return doc[m.start():end + 6] if end >= 0 else None


class Checker:
    def __init__(self, img):
        self.img = img
        self.failures = []
        self.checked = 0

    def expect(self, cond, what):
        self.checked += 1
        if not cond:
            self.failures.append(what)
        return cond

    # ---- the ladder ----
    def ladder_marks(self, svg, ox, oy, quiet=False):
        """Crosses and lifelines at offset (ox, oy); returns True if all hold."""
        img, ok = self.img, True
        crosses = with_class(svg, "path", "cross")
        lifelines = with_class(svg, "line", "lifeline")
        states = with_class(svg, "rect", "state")
        if not crosses or len(lifelines) < 2:
            if not quiet:
                self.expect(False, "ladder: the SVG has %d crosses and %d lifelines" % (len(crosses), len(lifelines)))
            return False
        for c in crosses:
            x, y = f(c, "sk:x") + ox, f(c, "sk:y") + oy
            good = has_colour(img, x, y, LOST, r=1)
            if quiet and not good:
                return False
            ok &= good
            if not quiet:
                self.expect(good, "ladder: no red cross at (%.1f, %.1f), found %s" % (x, y, img.rgb(int(x), int(y))))
        for l in lifelines:
            x, y1, y2 = f(l, "x1"), f(l, "y1"), f(l, "y2")
            covered = [(f(s, "y") - 2, f(s, "y") + f(s, "height") + 2) for s in states if abs(f(s, "x") + 4 - x) < 1]
            free = 0
            y = y1 + 2
            while y < y2 - 2:
                good = drawn(img, x + ox, y + oy)
                if quiet and not good:
                    return False
                ok &= good
                if not quiet and not good:
                    self.expect(False, "ladder: lifeline x=%.1f not drawn at y=%.1f" % (x + ox, y + oy))
                if not any(a <= y <= b for a, b in covered):
                    free += 1
                y += 4
            if not quiet:
                self.expect(free >= 3, "ladder: fewer than 3 points of lifeline x=%.1f outside state boxes" % x)
        return ok

    def ladder(self, svg, ox=0, oy=0):
        img = self.img
        self.ladder_marks(svg, ox, oy)
        axis = with_class(svg, "line", "axis")
        self.expect(axis, "ladder: no axis in the SVG")
        for a in axis:
            x, y1, y2 = f(a, "x1"), f(a, "y1"), f(a, "y2")
            y = y1 + 1
            while y < y2 - 1:
                self.expect(drawn(img, x + ox, y + oy), "ladder: axis not drawn at (%.1f, %.1f)" % (x + ox, y + oy))
                y += 5
        ticks = with_class(svg, "line", "tick")
        for t in ticks:
            self.expect(drawn(img, f(t, "x1") + 3 + ox, f(t, "y1") + oy),
                        "ladder: tick at y=%.1f not drawn" % (f(t, "y1") + oy))
        # background: between the first two lifelines, at and between the ticks, far from arrows
        xs = sorted(f(l, "x1") for l in with_class(svg, "line", "lifeline"))
        xm = (xs[0] + xs[1]) / 2
        segs = []
        for s in with_class(svg, "line", "seg"):
            x1, y1, x2, y2 = f(s, "x1"), f(s, "y1"), f(s, "x2"), f(s, "y2")
            if "lost" in s["class"].split():  # its label runs on past the cross
                x2, y2 = x1 + 2 * (x2 - x1), y1 + 2 * (y2 - y1)
            segs.append((x1, y1, x2, y2))
        bands = [(float(a["sk:y0"]), float(a["sk:y1"])) for t, a in elements(svg)
                 if t == "g" and "break" in a.get("class", "").split()]
        ys = sorted(f(t, "y1") for t in ticks)
        cands = ys + [(a + b) / 2 for a, b in zip(ys, ys[1:])]
        n = 0
        for y in cands:
            if any(seg_dist(xm, y, *s) < 26 for s in segs) or any(a - 4 <= y <= b + 4 for a, b in bands):
                continue
            n += 1
            self.expect(blank(img, xm + ox, y + oy), "ladder: not background at (%.1f, %.1f): %s"
                        % (xm + ox, y + oy, img.rgb(int(xm + ox), int(y + oy))))
        self.expect(n >= 3, "ladder: only %d places known to be empty" % n)

    # ---- the plot ----
    def plot_marks(self, svg, ox, oy, quiet=False):
        img, ok = self.img, True
        lost = with_class(svg, "path", "lost")
        acks = with_class(svg, "polyline", "ack")
        if not lost or not acks:
            if not quiet:
                self.expect(False, "plot: the SVG has %d lost marks and %d ACK lines" % (len(lost), len(acks)))
            return False
        for c in lost:
            x, y = f(c, "sk:x") + ox, f(c, "sk:y") + oy
            good = has_colour(img, x, y, LOST)
            if quiet and not good:
                return False
            ok &= good
            if not quiet:
                self.expect(good, "plot: no red loss mark at (%.1f, %.1f)" % (x, y))
        pts = points(acks[0])
        hits = total = 0
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            for t in (0.25, 0.5, 0.75):
                total += 1
                hits += has_colour(img, x1 + t * (x2 - x1) + ox, y1 + t * (y2 - y1) + oy, ACK)
        good = total > 0 and hits >= 0.9 * total
        ok &= good
        if not quiet:
            self.expect(good, "plot: the ACK line is green at %d of %d points" % (hits, total))
        return ok

    def plot(self, svg, ox=0, oy=0):
        img = self.img
        self.plot_marks(svg, ox, oy)
        for a in with_class(svg, "line", "axis"):
            x1, y1, x2, y2 = f(a, "x1"), f(a, "y1"), f(a, "x2"), f(a, "y2")
            n = int(max(abs(x2 - x1), abs(y2 - y1)) / 6)
            for k in range(1, n):
                x, y = x1 + (x2 - x1) * k / n, y1 + (y2 - y1) * k / n
                self.expect(drawn(img, x + ox, y + oy), "plot: axis not drawn at (%.1f, %.1f)" % (x + ox, y + oy))
        bars = [b for b in with_class(svg, "line", "data") if abs(f(b, "y2") - f(b, "y1")) >= 3]
        hits = sum(has_colour(img, f(b, "x1") + ox, (f(b, "y1") + f(b, "y2")) / 2 + oy, SEG) for b in bars)
        self.expect(bars and hits >= 0.9 * len(bars), "plot: %d of %d data bars are blue" % (hits, len(bars)))
        # background: a grid over the time-sequence panel, away from everything drawn in it
        g = [a for t, a in elements(svg) if t == "g" and "tsg" in a.get("class", "").split()]
        if not self.expect(g, "plot: no time-sequence panel"):
            return
        x0, x1, y0, y1 = f(g[0], "sk:x0"), f(g[0], "sk:x1"), f(g[0], "sk:y0"), f(g[0], "sk:y1")
        lines = []
        for t, a in elements(svg):
            c = a.get("class", "").split()
            if t == "line" and "bar" in c:
                lines.append((f(a, "x1"), f(a, "y1"), f(a, "x2"), f(a, "y2")))
            elif t == "polyline":
                p = points(a)
                lines += [(u[0], u[1], v[0], v[1]) for u, v in zip(p, p[1:])]
            elif t == "path" and "lost" in c:
                lines.append((f(a, "sk:x"), f(a, "sk:y"), f(a, "sk:x"), f(a, "sk:y")))
        n = 0
        y = y1 + 10
        while y < y0 - 10:
            x = x0 + 10
            while x < x1 - 10:
                if all(seg_dist(x, y, *s) > 14 for s in lines):
                    n += 1
                    self.expect(blank(img, x + ox, y + oy), "plot: not background at (%.1f, %.1f): %s"
                                % (x + ox, y + oy, img.rgb(int(x + ox), int(y + oy))))
                x += 30
            y += 30
        self.expect(n >= 20, "plot: only %d places known to be empty" % n)

    # ---- the page: find each picture's offset by its red marks ----
    def find_offset(self, svg, first, test):
        c0 = first
        red = bytes((LOST[0], LOST[1], LOST[2]))
        px, bpp, w = self.img.px, self.img.bpp, self.img.w
        seen = set()
        i = px.find(red)
        tries = 0
        while i >= 0 and tries < 4000:
            if i % bpp == 0:
                p = i // bpp
                x, y = p % w, p // w
                for dx in range(-2, 3):
                    for dy in range(-2, 3):
                        off = (round(x - c0[0]) + dx, round(y - c0[1]) + dy)
                        if off in seen:
                            continue
                        seen.add(off)
                        tries += 1
                        if test(svg, off[0], off[1]):
                            return off
            i = px.find(red, i + 1)
        return None

    def html(self, doc):
        lad, plot = svg_part(doc, "ladder"), svg_part(doc, "plot")
        if not self.expect(lad and plot, "html: the page does not hold both pictures"):
            return
        c = with_class(lad, "path", "cross")
        if not self.expect(c, "html: the ladder has no cross"):
            return
        off = self.find_offset(lad, (f(c[0], "sk:x"), f(c[0], "sk:y")),
                               lambda s, x, y: self.ladder_marks(s, x, y, quiet=True))
        if self.expect(off is not None, "html: the ladder's crosses and lifelines are nowhere on the page"):
            self.ladder_marks(lad, *off)
        l = with_class(plot, "path", "lost")
        if not self.expect(l, "html: the plot has no loss mark"):
            return
        poff = self.find_offset(plot, (f(l[0], "sk:x"), f(l[0], "sk:y")),
                                lambda s, x, y: self.plot_marks(s, x, y, quiet=True))
        if self.expect(poff is not None, "html: the plot's loss marks and ACK line are nowhere on the page"):
            self.plot_marks(plot, *poff)
            self.expect(off is None or poff[1] > off[1], "html: the plot is not below the ladder")


def main(argv):
    if len(argv) != 4 or argv[1] not in ("ladder", "plot", "html"):
        sys.stderr.write(__doc__)
        return 2
    kind, png, docpath = argv[1], argv[2], argv[3]
    doc = open(docpath, encoding="utf-8", errors="replace").read()
    try:
        img = Image(png)
    except (OSError, ValueError, zlib.error) as e:
        print("FAIL %s: %s" % (kind, e))
        return 1
    ck = Checker(img)
    if kind == "ladder":
        ck.ladder(doc)
    elif kind == "plot":
        ck.plot(doc)
    else:
        ck.html(doc)
    for what in ck.failures[:20]:
        print("FAIL %s: %s" % (kind, what))
    if len(ck.failures) > 20:
        print("FAIL %s: ... and %d more" % (kind, len(ck.failures) - 20))
    print("%s: %d checks, %d failed (%dx%d screenshot)" % (kind, ck.checked, len(ck.failures), img.w, img.h))
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
