/* Scenarios for the LQ catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_lq[] = {
	{NULL, NULL, NULL},
};
