/* The simulator's log as a picture's input: what synack-sim --svg, --plot and --html draw. */
#ifndef SK_SIM_PICTURE_H
#define SK_SIM_PICTURE_H

#include "sim/world.h"
#include "trace/picture.h"

struct sk_world_pic {
	struct sk_pic pic; /* points into the arrays below and into the world's log */
	const char *names[SK_WORLD_MAX_HOSTS];
	struct sk_pic_frame *frames;
	struct sk_pic_state *states;
	struct sk_pic_note *notes;
	struct sk_pic_cc *cc;
};

/* Fills out from w's log (frames, state changes, notes, and congestion changes if the
 * world was made with log_cc); valid while w lives. Returns 0 or -ENOMEM. */
int sk_world_picture(struct sk_world *w, const char *title, struct sk_world_pic *out);
void sk_world_picture_free(struct sk_world_pic *p);

#endif
