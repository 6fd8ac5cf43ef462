/* Scenarios for the REL catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_rel[] = {
	{NULL, NULL, NULL},
};
