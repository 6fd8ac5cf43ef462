/* Scenarios for the FLOW catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_flow[] = {
	{NULL, NULL, NULL},
};
