/* Linux constant names for scripts, and errno names both ways. */
#ifndef SK_SCRIPT_SYMBOLS_H
#define SK_SCRIPT_SYMBOLS_H

struct sk_sym {
	const char *name;
	long value;
};

/* The value of a constant (SOCK_STREAM, POLLIN, ...): 0, or -1 if unknown. */
int sk_sym_value(const char *name, long *v);
/* errno by name ("ECONNREFUSED"): 0, or -1 if unknown. */
int sk_errno_value(const char *name, int *e);
/* The name of an errno value, either sign ("E?" if unknown, "0" for 0). */
const char *sk_errno_name(int e);

#endif
