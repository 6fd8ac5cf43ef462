/* The library's version (include/synack/version.h, generated from CMakeLists.txt). */
#include <synack/version.h>

const char *synack_version(void)
{
	return SYNACK_VERSION_STRING;
}
