// Compaction: folds the delta into the base, drops tombstones and edgeless
// nodes, and lays the slots out again as the downstream CSR. O(edges +
// nodes) plus sorting the delta by id, reading the old base in order where
// it can (two scattered reads per edge remain: through old_to_new for the
// id order and the upstream lists). Writes run it after the delta or the
// garbage has grown by a fixed fraction of the graph, so its cost is
// amortised O(1) per write.
#include <algorithm>
#include <mutex>
#include <utility>

#include "server/lineage/graph.h"

namespace cadastre::lineage {
namespace {

// A walk compacts first when the delta is this fraction of the base (and
// not tiny): delta lists are slower to walk than the base. Writes alone
// let it grow to a quarter (graph.cc), or without bound during a load
// (BeginLoad), which makes bulk loads cheaper.
constexpr size_t kReadDeltaFraction = 16;
constexpr size_t kMinReadDelta = 256;

}  // namespace

void Graph::CompactForReads() const {
  const auto too_big = [&] {
    const size_t delta = recs_.size() - base_end_;
    return delta > std::max(kMinReadDelta, size_t{base_end_} / kReadDeltaFraction);
  };
  {
    std::shared_lock lock(mu_);
    if (!too_big()) return;
  }
  std::unique_lock lock(mu_);
  // Compaction changes how the graph holds its edges, not which: a reader
  // may run it. The cast is sound because a Graph with edges cannot be a
  // const object (only Upsert, non-const, adds them).
  if (too_big()) const_cast<Graph*>(this)->Compact();
}

void Graph::Compact() {
  const auto old_slots = static_cast<uint32_t>(recs_.size());
  const size_t old_nodes = node_ids_.size();
  const auto by_id = [&](uint32_t a, uint32_t b) { return IdAt(a) < IdAt(b); };

  // Calls emit(slot) for the live edges of `node` in direction `dir`, in id
  // order: the base list merged with the delta list. `live` tells base
  // slots from tombstones.
  const auto collect = [&](uint32_t node, int dir, const auto& live, const auto& emit) {
    uint32_t base = adj_[node].begin[dir];
    const uint32_t base_end = adj_[node + 1].begin[dir];
    const uint32_t tail = adj_[node].tail[dir];
    uint32_t delta = tail == kNil ? kNil : DeltaNext(tail, dir);
    while (base != base_end || delta != kNil) {
      if (base != base_end) {
        const uint32_t slot = dir == 0 ? base : in_edges_[base];
        if (!live(slot)) {
          ++base;
          continue;
        }
        if (delta == kNil || IdAt(slot) < IdAt(delta)) {
          emit(slot);
          ++base;
          continue;
        }
      }
      emit(delta);
      delta = delta == tail ? kNil : DeltaNext(delta, dir);
    }
  };

  // 1. The new slots: each node's out-edges in id order, nodes in order.
  //    Edgeless nodes are dropped (renumber) and tombstones (old_to_new
  //    stays kNil).
  Array<uint32_t> renumber(old_nodes, kNil);
  uint32_t nodes = 0;
  for (uint32_t n = 0; n < old_nodes; ++n) {
    if (degree_[n] > 0) renumber[n] = nodes++;
  }
  Array<uint32_t> moved;  // new slot -> old slot
  moved.reserve(live_edges_);
  Array<uint32_t> old_to_new(old_slots, kNil);
  Array<NodeAdj> adj(nodes + 1, NodeAdj{{0, 0}, {kNil, kNil}});
  for (uint32_t n = 0; n < old_nodes; ++n) {
    if (renumber[n] == kNil) continue;
    adj[renumber[n]].begin[0] = static_cast<uint32_t>(moved.size());
    collect(
        n, 0, [&](uint32_t slot) { return recs_[slot].src != kNil; },
        [&](uint32_t slot) {
          old_to_new[slot] = static_cast<uint32_t>(moved.size());
          moved.push_back(slot);
        });
  }
  adj[nodes].begin[0] = static_cast<uint32_t>(moved.size());
  const auto live = [&](uint32_t slot) { return old_to_new[slot] != kNil; };

  // 2. All slots in id order: the old base's, then the delta's sorted, merged.
  {
    Array<uint32_t> ids;
    ids.reserve(moved.size());
    for (uint32_t slot : by_id_) {
      if (live(slot)) ids.push_back(slot);
    }
    const size_t base_live = ids.size();
    for (uint32_t slot = base_end_; slot < old_slots; ++slot) {
      if (live(slot)) ids.push_back(slot);
    }
    std::sort(ids.begin() + base_live, ids.end(), by_id);
    std::inplace_merge(ids.begin(), ids.begin() + base_live, ids.end(), by_id);
    for (uint32_t& slot : ids) slot = old_to_new[slot];
    by_id_.swap(ids);
  }

  // 3. Upstream lists, in id order.
  {
    Array<uint32_t> in_edges;
    in_edges.reserve(moved.size());
    for (uint32_t n = 0; n < old_nodes; ++n) {
      if (renumber[n] == kNil) continue;
      adj[renumber[n]].begin[1] = static_cast<uint32_t>(in_edges.size());
      collect(n, 1, live, [&](uint32_t slot) { in_edges.push_back(old_to_new[slot]); });
    }
    adj[nodes].begin[1] = static_cast<uint32_t>(in_edges.size());
    in_edges_.swap(in_edges);
  }
  adj_.swap(adj);  // the delta lists are gone with the old one
  Array<uint32_t>().swap(old_to_new);

  // 4. The slot columns, moved, and the node columns, renumbered.
  const auto permute = [&](auto& column) {
    std::remove_reference_t<decltype(column)> out;
    out.reserve(moved.size());
    for (uint32_t old : moved) out.push_back(column[old]);
    column.swap(out);
  };
  permute(recs_);
  for (EdgeRec& rec : recs_) {
    rec.src = renumber[rec.src];
    rec.dst = renumber[rec.dst];
  }
  permute(id_lo_);
  if (!id_hi_.empty()) {
    permute(id_hi_);
    if (std::all_of(id_hi_.begin(), id_hi_.end(), [](uint32_t hi) { return hi == 0; })) {
      Array<uint32_t>().swap(id_hi_);
    }
  }
  if (raw_attrs_) {
    permute(raw_job_);
    permute(raw_from_);
    permute(raw_to_);
  }
  Array<uint32_t>().swap(moved);
  const bool renumbered = nodes != old_nodes;
  if (renumbered) {
    for (uint32_t n = 0; n < old_nodes; ++n) {
      if (renumber[n] == kNil) continue;
      node_ids_[renumber[n]] = node_ids_[n];
      degree_[renumber[n]] = degree_[n];
    }
    node_ids_.resize(nodes);
    node_ids_.shrink_to_fit();
    degree_.resize(nodes);
    degree_.shrink_to_fit();
  }

  Array<DeltaLink>().swap(delta_links_);
  delta_ids_.Clear();
  base_end_ = static_cast<uint32_t>(recs_.size());
  dead_slots_ = 0;
  if (renumbered) RebuildNodeIndex();
}

}  // namespace cadastre::lineage
