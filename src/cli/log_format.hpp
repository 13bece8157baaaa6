// The daemon's log lines: spdlog's usual pattern, with the message's control bytes escaped (util/quote.hpp) so that
// one event is always one line, whatever text reached it (a file name with a newline, a network error quoting a
// server's answer). Messages quote user text with pfs::quote(); this is the net under every line.
#pragma once
#include <memory>

#include <spdlog/formatter.h>

namespace pfs::cli {

std::unique_ptr<spdlog::formatter> escaping_log_formatter();

}  // namespace pfs::cli
