/* Scenarios for the CC catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_cc[] = {
	{NULL, NULL, NULL},
};
