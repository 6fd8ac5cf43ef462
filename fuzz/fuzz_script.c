/* Fuzzes the script parser: any bytes parse or fail cleanly, and expressions print back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "script/script.h"

#define FMT_LEN 65536

/* Prints x, parses it back as a call's argument and prints that: the two prints must agree. */
static void check_round_trip(const struct sk_sx *x, char *a, char *b)
{
	sk_sx_format(x, a, FMT_LEN);
	size_t n = strlen(a);
	if (n + 16 >= FMT_LEN)
		return; /* truncated */
	char *text = malloc(n + 16);
	FUZZ_CHECK(text != NULL);
	snprintf(text, n + 16, "0 f(%s) = 0", a);
	struct sk_script *s;
	char why[256];
	if (sk_script_parse(text, strlen(text), "rt", &s, why, sizeof(why)) != 0) {
		fprintf(stderr, "printed expression does not parse: %s\n%s\n", text, why);
		abort();
	}
	FUZZ_CHECK(s->nev == 1 && s->ev[0].call.nargs == 1);
	sk_sx_format(s->ev[0].call.args[0], b, FMT_LEN);
	FUZZ_CHECK(strcmp(a, b) == 0);
	sk_script_free(s);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_script *s = (struct sk_script *)1;
	char why[256];
	if (sk_script_parse((const char *)data, size, "fuzz.pkt", &s, why, sizeof(why)) != 0) {
		FUZZ_CHECK(s == NULL);
		FUZZ_CHECK(strncmp(why, "fuzz.pkt:", 9) == 0 && strlen(why) < sizeof(why));
		return 0;
	}
	char *a = malloc(FMT_LEN), *b = malloc(FMT_LEN);
	FUZZ_CHECK(a && b);
	FUZZ_CHECK(s->nev >= 0 && s->nev <= 100000 && s->nopts >= 0);
	for (int i = 0; i < s->nopts; i++)
		FUZZ_CHECK(s->opts[i].name && s->opts[i].value && s->opts[i].line >= 1);
	int line = 1;
	for (int i = 0; i < s->nev; i++) {
		const struct sk_se *e = &s->ev[i];
		FUZZ_CHECK(e->line >= line);
		line = e->line;
		FUZZ_CHECK(e->t >= 0 && e->t_end >= 0);
		if (e->tkind == ST_ABS_RANGE || e->tkind == ST_REL_RANGE)
			FUZZ_CHECK(e->t_end >= e->t);
		switch (e->kind) {
		case SE_PACKET:
			FUZZ_CHECK(e->pkt.dir == '<' || e->pkt.dir == '>');
			FUZZ_CHECK(e->pkt.nopt >= 0 && e->pkt.nopt <= SK_SP_MAX_OPTS);
			for (int k = 0; k < e->pkt.nopt; k++)
				FUZZ_CHECK(e->pkt.opt[k].nsack <= SK_SP_MAX_SACK);
			if (e->pkt.proto == SP_TCP)
				FUZZ_CHECK(e->pkt.end - e->pkt.seq == e->pkt.len);
			if (e->pkt.proto == SP_ICMP)
				FUZZ_CHECK(e->pkt.icmp_type != NULL);
			break;
		case SE_CALL:
			FUZZ_CHECK(e->call.name && e->call.ret);
			FUZZ_CHECK(!e->call.blocking || e->call.end >= e->t);
			for (int k = 0; k < e->call.nargs; k++)
				check_round_trip(e->call.args[k], a, b);
			check_round_trip(e->call.ret, a, b);
			break;
		case SE_SHELL:
		case SE_CODE:
			FUZZ_CHECK(e->text != NULL);
			break;
		}
	}
	free(a);
	free(b);
	sk_script_free(s);
	return 0;
}
