/* One HTML page with everything about a run, opening offline: the title, the ladder and the
 * plot inline, and the trace as text. No scripts, no fonts, nothing fetched. */
#include "trace/pic_int.h"

#include <errno.h>

int sk_pic_html(FILE *f, const struct sk_pic *p, const char *trace_text)
{
	if (!f || !p)
		return -EINVAL;
	const char *title = p->title ? p->title : "synack run";
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	sk_pic_escape(f, title, 0);
	fputs("</title>\n<style>\n"
	      "body { background: #ffffff; color: #000000; font-family: sans-serif; margin: 16px; }\n"
	      "h1 { font-size: 20px; margin: 0 0 8px 0; }\n"
	      "h2 { font-size: 16px; margin: 24px 0 8px 0; }\n"
	      "nav a { margin-right: 16px; }\n"
	      "svg { display: block; }\n"
	      "pre.trace { font-family: monospace; font-size: 12px; white-space: pre; overflow-x: auto; "
	      "background: #f7f7f7; border: 1px solid #dddddd; padding: 8px; }\n"
	      "</style>\n</head>\n<body>\n<h1>",
	      f);
	sk_pic_escape(f, title, 0);
	fputs("</h1>\n<nav><a href=\"#ladder\">ladder diagram</a><a href=\"#plot\">time-sequence graph</a>", f);
	if (trace_text)
		fputs("<a href=\"#trace\">trace</a>", f);
	fputs("</nav>\n<h2 id=\"ladder\">Ladder diagram</h2>\n", f);
	int err = sk_pic_ladder_write(f, p, 0);
	if (err == -EINVAL) {
		fputs("<p>No endpoints to draw.</p>\n", f);
		err = 0;
	}
	if (err)
		return err;
	fputs("<h2 id=\"plot\">Time-sequence graph</h2>\n", f);
	if ((err = sk_pic_plot_write(f, p, 0)) < 0)
		return err;
	if (trace_text) {
		fputs("<h2 id=\"trace\">Trace</h2>\n<pre class=\"trace\">", f);
		sk_pic_escape(f, trace_text, 1);
		fputs("</pre>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -EIO : 0;
}
