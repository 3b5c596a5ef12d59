#ifndef TOKENBATCH_CYAML_SHIM_H
#define TOKENBATCH_CYAML_SHIM_H

#include <yaml.h>

#endif
