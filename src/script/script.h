/* A parsed script in packetdrill's language: options, timed events (packets, system calls,
 * shell commands, code blocks) and the expressions system calls take. */
#ifndef SK_SCRIPT_H
#define SK_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

/* ---- expressions (system call arguments and results) ---- */

enum sk_sx_kind {
	SX_ELLIPSIS, /* ... */
	SX_INT,      /* 3, -1, 0x10 */
	SX_WORD,     /* SOCK_STREAM, O_NONBLOCK, AF_INET: a symbol looked up when run */
	SX_STRING,   /* "text" (str without the quotes, escapes resolved); ellipsis = "text"... */
	SX_OR,       /* lhs | rhs */
	SX_LIST,     /* [a, b, ...]: n items in v */
	SX_STRUCT,   /* {a, b} or {name=a, name2=b}: n items in v, each any expression or SX_FIELD */
	SX_FIELD,    /* name=rhs inside a struct; name(args)=rhs as msg_iov(1)=[...] keeps args in v */
	SX_CALL,     /* name(args): htons(8080), inet_addr("192.0.2.1"); args in v */
};

struct sk_sx {
	enum sk_sx_kind kind;
	int line;
	int64_t num;           /* SX_INT */
	char *str;             /* SX_WORD, SX_STRING; SX_FIELD and SX_CALL: the name */
	int ellipsis;          /* SX_STRING followed by ... */
	struct sk_sx *lhs, *rhs; /* SX_OR; SX_FIELD: rhs is the value */
	struct sk_sx **v;      /* SX_LIST, SX_STRUCT, SX_CALL, SX_FIELD's (args) */
	int n;
};

/* ---- packets ---- */

enum sk_sp_proto { SP_TCP, SP_UDP, SP_ICMP };

/* IP ECN field as written in [noecn], [ect0], [ect1], [ce]; [ect01] means "ECT(0) or ECT(1)"
 * (outbound only). SP_ECN_ANY: not written. Values are the field's bits where they exist. */
enum { SP_ECN_NOT = 0, SP_ECN_ECT1 = 1, SP_ECN_ECT0 = 2, SP_ECN_CE = 3, SP_ECN_ECT01 = 4, SP_ECN_ANY = -1 };

/* One TCP option as written. kind is the option's kind number (0 eol, 1 nop, 2 mss,
 * 3 wscale, 4 sackOK, 5 sack, 8 TS). */
#define SK_SP_MAX_OPTS 20
#define SK_SP_MAX_SACK 4
struct sk_sp_opt {
	uint8_t kind;
	uint32_t val;          /* mss, wscale; TS val */
	uint32_t ecr;          /* TS ecr */
	uint8_t nsack;         /* sack blocks */
	uint32_t sack[SK_SP_MAX_SACK][2]; /* left, right */
};

/* A packet line: "< S. 0:0(0) ack 1 win 5792 <mss 1460,nop,wscale 7>". */
enum { SP_OPTS_NONE = 0, SP_OPTS_LIST, SP_OPTS_ANY /* <...> */ };
struct sk_sp {
	char dir;              /* '<' inbound (injected), '>' outbound (expected) */
	enum sk_sp_proto proto;
	int ecn;               /* SP_ECN_* */
	/* TCP */
	uint16_t flags;        /* wire flag bits: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10
				* URG 0x20 ECE 0x40 CWR 0x80 (letters F S R P . U E W; '-' none) */
	uint32_t seq, end, len; /* start:end(len) */
	int has_ack;
	uint32_t ack;
	int has_win;
	uint32_t win;
	int opts;              /* SP_OPTS_* */
	int nopt;
	struct sk_sp_opt opt[SK_SP_MAX_OPTS];
	/* UDP: "udp (len)"; len above */
	/* ICMP: "[1:1461(1460)] icmp unreachable frag_needed mtu 1200" */
	char *icmp_type, *icmp_code; /* as written; code may be NULL */
	int has_mtu;
	uint32_t mtu;
	int echoed;            /* 0 none, 1 a TCP segment [seq:end(len)], 2 UDP [udp (len)] */
	uint32_t echo_seq, echo_end, echo_len;
};

/* ---- events ---- */

enum sk_st_kind {
	ST_ABS,       /* 0.1 */
	ST_REL,       /* +0.1 */
	ST_ANY,       /* * */
	ST_ABS_RANGE, /* 0.1~0.2 */
	ST_REL_RANGE, /* +0.1~+0.2 */
};

enum sk_se_kind { SE_PACKET, SE_CALL, SE_SHELL, SE_CODE };

struct sk_se_call {
	char *name;            /* "socket", "write", ... */
	struct sk_sx **args;
	int nargs;
	int blocking;          /* written "start...end": the call may block until end */
	int64_t end;           /* µs, from the same base as the start time */
	struct sk_sx *ret;     /* expected result (SX_INT, SX_ELLIPSIS, ...) */
	char *err;             /* expected errno name ("EINPROGRESS"), or NULL */
	char *note;            /* the parenthesised text after it, or NULL */
};

struct sk_se {
	int line;              /* line of the event's time */
	enum sk_st_kind tkind;
	int64_t t, t_end;      /* µs; t_end for the ranges */
	enum sk_se_kind kind;
	int init;              /* a command before the first event (no time): run first */
	struct sk_sp pkt;      /* SE_PACKET */
	struct sk_se_call call; /* SE_CALL */
	char *text;            /* SE_SHELL: the command without backquotes; SE_CODE: the code */
};

struct sk_sopt {               /* --name=value at the top of the script */
	char *name;            /* without the dashes */
	char *value;           /* as written ("" if none) */
	int line;
};

struct sk_script {
	char *path;
	struct sk_sopt *opts;
	int nopts;
	struct sk_se *ev;
	int nev;
	struct sk_arena *arena; /* owns every string and expression */
};

/* Parses a whole script. On error returns -1 and writes "PATH:LINE: reason" into why. */
int sk_script_parse(const char *text, size_t len, const char *path, struct sk_script **out, char *why,
		    size_t whylen);
/* Reads and parses a file; why as above ("PATH: No such file or directory"). */
int sk_script_load(const char *path, struct sk_script **out, char *why, size_t whylen);
void sk_script_free(struct sk_script *s);

/* Prints an expression back in the script's notation (for messages). Returns buf. */
char *sk_sx_format(const struct sk_sx *x, char *buf, size_t len);

#endif
