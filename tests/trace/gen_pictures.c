/* Writes one picture of each kind from hand-built runs, for the browser test: ladder.svg (a
 * SYN lost three times, then answered), plot.svg and page.html (a loss repaired with SACK). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pic_inputs.h"
#include "trace/picture.h"

static int write_one(const char *dir, const char *name, int kind, const struct sk_pic *p, const char *trace)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gen_pictures: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int r = kind == 0 ? sk_pic_ladder_svg(f, p) : kind == 1 ? sk_pic_plot_svg(f, p) : sk_pic_html(f, p, trace);
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "gen_pictures: %s: %s\n", path, strerror(-r));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_pictures DIR\n");
		return 2;
	}
	static const char trace[] =
		"# client CLOSED -> SYN-SENT (connect())\n"
		"00:00:00.000000 IP 10.0.0.1.40000 > 10.0.0.2.6378: Flags [S], seq 1000, win 64240, options [mss "
		"1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0\n"
		"# (the rest of the trace would follow here: a < b & c)\n";
	struct pin b;
	int bad = 0;
	pin_init(&b, "SYN lost three times, then answered");
	pin_syn_backoff(&b);
	bad |= write_one(argv[1], "ladder.svg", 0, &b.pic, NULL);
	pin_free(&b);
	pin_init(&b, "a loss repaired with SACK");
	pin_transfer(&b);
	bad |= write_one(argv[1], "plot.svg", 1, &b.pic, NULL);
	bad |= write_one(argv[1], "page.html", 2, &b.pic, trace);
	pin_free(&b);
	return bad ? 1 : 0;
}
