/* Scenarios for the RST catalogue items. */
#include "sim/scenario.h"

const struct sk_scenario sk_scn_rst[] = {
	{NULL, NULL, NULL},
};
