/* Scenarios for the CONN catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_conn[] = {
	{NULL, NULL, NULL},
};
