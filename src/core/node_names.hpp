// The names of one node (internal to src/core): its first one (`parent`, `name`) and its hard links (`links`), alike
// on a Filesystem::Node and on its NodeRecord, so a change is made on the record first (what the store writes) and
// then on the node, once the write has succeeded.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "protectedfs/core/persistence.hpp"

namespace pfs::core {

// `name` in folder `dir` becomes `new_name` in folder `to`.
template <typename Named>
void rename_name(Named& n, uint64_t dir, const std::string& name, uint64_t to, const std::string& new_name) {
  if (n.parent == dir && n.name == name) {
    n.parent = to;
    n.name = new_name;
    return;
  }
  for (NodeName& link : n.links)
    if (link.parent == dir && link.name == name) {
      link = {to, new_name};
      return;
    }
}

// One name of a node that has others goes; when it was the first one, the next one takes its place.
template <typename Named>
void drop_name(Named& n, uint64_t dir, const std::string& name) {
  if (n.links.empty()) return;
  if (n.parent == dir && n.name == name) {
    n.parent = n.links.front().parent;
    n.name = std::move(n.links.front().name);
    n.links.erase(n.links.begin());
    return;
  }
  auto it = std::find(n.links.begin(), n.links.end(), NodeName{dir, name});
  if (it != n.links.end()) n.links.erase(it);
}

}  // namespace pfs::core
