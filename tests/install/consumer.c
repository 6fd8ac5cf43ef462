/* A program that uses synack as any consumer of the installed library would: the public
 * headers only, built outside the source tree by tests/install/install.sh (pkg-config,
 * find_package, add_subdirectory). Makes a stack with the default settings, frees it and
 * prints the library's version, which must be the headers' version. */
#include <stdio.h>
#include <string.h>

#include <synack/synack.h>
#include <synack/version.h>

int main(void)
{
	struct synack_config c;
	synack_config_defaults(&c);
	int err = 0;
	synack_stack *s = synack_stack_new(&c, &err);
	if (!s) {
		fprintf(stderr, "consumer: synack_stack_new failed: %d\n", err);
		return 1;
	}
	synack_stack_free(s);
	if (strcmp(synack_version(), SYNACK_VERSION_STRING) != 0) {
		fprintf(stderr, "consumer: library %s, headers %s\n", synack_version(),
			SYNACK_VERSION_STRING);
		return 1;
	}
	char macros[32];
	snprintf(macros, sizeof(macros), "%d.%d.%d", SYNACK_VERSION_MAJOR, SYNACK_VERSION_MINOR,
		 SYNACK_VERSION_PATCH);
	if (strcmp(macros, SYNACK_VERSION_STRING) != 0) {
		fprintf(stderr, "consumer: macros say %s, the string %s\n", macros,
			SYNACK_VERSION_STRING);
		return 1;
	}
	printf("synack %s\n", synack_version());
	return 0;
}
