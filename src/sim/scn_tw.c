/* Scenarios for the TW catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_tw[] = {
	{NULL, NULL, NULL},
};
