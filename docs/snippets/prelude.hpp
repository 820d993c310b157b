// What the C++ snippets in the docs use without declaring (see prelude.h).
#include <cstdio>
#include <string>
#include "gamegate.hpp"
