// The configuration reference, generated from the sections' and models'
// parameter tables: `nvsoc models` prints it as text, `nvsoc models
// --markdown` as docs/configuration.md (a test keeps the two identical).
#pragma once

#include <string>

namespace nvsoc {

std::string models_text();
std::string configuration_markdown();

} // namespace nvsoc
