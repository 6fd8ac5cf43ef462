/* Growing an array by doubling: one helper for the "full? realloc twice as big" idiom. */
#ifndef SK_GROW_H
#define SK_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for one more element in the array v points to (a T **: n used of *cap, each
 * elem bytes): when full, it doubles (first elements the first time). Returns 0, or -1 (out of memory; *v and
 * *cap unchanged). */
static inline int sk_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : first;
	if (c < *cap || c > SIZE_MAX / elem)
		return -1;
	void *old; /* v points to a T *: read and written as bytes, whatever T is */
	memcpy(&old, v, sizeof(old));
	void *p = realloc(old, c * elem);
	if (!p)
		return -1;
	memcpy(v, &p, sizeof(p));
	*cap = c;
	return 0;
}

#endif
