/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * schema_each.h - walk include/schema.def with only the macros the
 * includer defined; the others expand to nothing. Included once per walk
 * (no include guard); every SCHEMA_* macro is undefined afterwards.
 *
 *	#define SCHEMA_MAP(name, type, key, value, max, doc) int name;
 *	#include "schema_each.h"
 */
#ifndef SCHEMA_CONST
#define SCHEMA_CONST(name, value, doc)
#endif
#ifndef SCHEMA_STRUCT
#define SCHEMA_STRUCT(name, doc)
#endif
#ifndef SCHEMA_END
#define SCHEMA_END(name)
#endif
#ifndef SCHEMA_FIELD
#define SCHEMA_FIELD(s, f, bits, doc)
#endif
#ifndef SCHEMA_ARRAY
#define SCHEMA_ARRAY(s, f, bits, n, doc)
#endif
#ifndef SCHEMA_STRUCT_NEST
#define SCHEMA_STRUCT_NEST(s, f, t, doc)
#endif
#ifndef SCHEMA_ARRAY_NEST
#define SCHEMA_ARRAY_NEST(s, f, t, n, doc)
#endif
#ifndef SCHEMA_LOCK
#define SCHEMA_LOCK(s, f, doc)
#endif
#ifndef SCHEMA_MAP
#define SCHEMA_MAP(name, type, key, value, max, doc)
#endif
#ifndef SCHEMA_COUNTER
#define SCHEMA_COUNTER(name, doc)
#endif
#ifndef SCHEMA_HEADER
#define SCHEMA_HEADER(s, doc)
#endif

#include "schema.def"

#undef SCHEMA_CONST
#undef SCHEMA_STRUCT
#undef SCHEMA_END
#undef SCHEMA_FIELD
#undef SCHEMA_ARRAY
#undef SCHEMA_STRUCT_NEST
#undef SCHEMA_ARRAY_NEST
#undef SCHEMA_LOCK
#undef SCHEMA_MAP
#undef SCHEMA_COUNTER
#undef SCHEMA_HEADER
