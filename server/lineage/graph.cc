// The lineage graph's storage: lookups, writes and the attribute encoding.
// Compaction is in graph_compact.cc, the walks in graph_walk.cc.
//
// Invariants (under mu_):
// - recs_, id_lo_ (and id_hi_ when not empty, and the raw_* arrays in raw
//   mode) have one entry per slot. A slot is live iff recs_[slot].src != kNil;
//   live slots hold distinct edge ids.
// - Base slots [0, base_end_) (tombstones included) are grouped by source:
//   node n has [adj_[n].begin[0], adj_[n + 1].begin[0]), in ascending id.
//   in_edges_[adj_[n].begin[1] .. adj_[n + 1].begin[1]) are the base slots
//   with target n, in ascending id, and by_id_ all base slots in ascending
//   id. Nodes added since the last compaction have empty base lists.
//   A base slot is never given other endpoints: moving an edge kills its
//   slot and adds a new one.
// - Every live delta slot (>= base_end_) is in delta_ids_ and in the out list
//   of its source and the in list of its target (adj_[n].tail), each list in
//   ascending id order from the head; a dead delta slot is in none.
// - degree_[n] counts the live edges at n (twice for a self-loop);
//   live_nodes_ counts the nodes with degree_ > 0, live_edges_ the live slots,
//   dead_slots_ the others.
// - In profile mode every live slot's attr holds a profile index whose
//   profile_refs_ counts its live slots; profile_index_ holds exactly the
//   profiles with a reference.
#include "server/lineage/graph.h"

#include <sys/mman.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <utility>

namespace cadastre::lineage {
namespace {

// Compaction never runs for fewer changes than this, so small graphs are
// not rebuilt on every write (and tests see several compactions).
constexpr size_t kMinChurn = 64;
// Writes fold the delta into the base when it is this fraction of it.
constexpr size_t kDeltaFraction = 4;
// Profiles give way to raw per-slot attributes when there are more than
// this many of them and more than one per two live edges: a profile costs
// about three times a raw slot's extra bytes.
constexpr size_t kMinProfilesForRaw = 1024;
constexpr size_t kMaxScratchPool = 8;
// Arrays from this size on are mapped (see PageAllocator); not under
// AddressSanitizer, which checks heap arrays but not mappings.
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kMappedArrayBytes = std::numeric_limits<size_t>::max();
#else
constexpr size_t kMappedArrayBytes = size_t{1} << 20;
#endif

uint64_t Mix(uint64_t x) {  // MurmurHash3's finaliser
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

// ---------------------------------------------------------------- FlatIndex

template <typename Eq>
uint32_t Graph::FlatIndex::Find(uint64_t hash, const Eq& eq) const {
  if (slots_.empty()) return kNil;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t v = slots_[i];
    if (v == kNil || eq(v)) return v;
  }
}

template <typename HashOf>
void Graph::FlatIndex::Grow(const HashOf& hash_of) {
  Array<uint32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, old.size() * 2), kNil);
  const size_t mask = slots_.size() - 1;
  for (uint32_t v : old) {
    if (v == kNil) continue;
    size_t i = hash_of(v) & mask;
    while (slots_[i] != kNil) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

template <typename HashOf>
void Graph::FlatIndex::Insert(uint64_t hash, uint32_t value, const HashOf& hash_of) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow(hash_of);  // load <= 3/4
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i] != kNil) i = (i + 1) & mask;
  slots_[i] = value;
  ++size_;
}

template <typename Eq, typename HashOf>
void Graph::FlatIndex::Erase(uint64_t hash, const Eq& eq, const HashOf& hash_of) {
  if (slots_.empty()) return;
  const size_t mask = slots_.size() - 1;
  size_t hole = hash & mask;
  for (;; hole = (hole + 1) & mask) {
    if (slots_[hole] == kNil) return;
    if (eq(slots_[hole])) break;
  }
  // Backward shift: move later entries of the run into the hole when their
  // home position does not lie cyclically in (hole, j].
  for (size_t j = (hole + 1) & mask; slots_[j] != kNil; j = (j + 1) & mask) {
    const size_t home = hash_of(slots_[j]) & mask;
    const bool home_in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!home_in_range) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = kNil;
  --size_;
}

void Graph::FlatIndex::Clear() {
  Array<uint32_t>().swap(slots_);
  size_ = 0;
}

// ---------------------------------------------------------------- helpers

uint64_t Graph::HashKey(int64_t key) { return Mix(static_cast<uint64_t>(key)); }

uint64_t Graph::HashProfile(const Profile& p) {
  uint64_t h = Mix(static_cast<uint64_t>(p.job));
  h = Mix(h ^ static_cast<uint64_t>(p.valid_from));
  h = Mix(h ^ static_cast<uint64_t>(p.valid_to));
  return Mix(h ^ (uint64_t{p.subtype} | uint64_t{p.bits} << 16));
}

void* Graph::AllocateArray(size_t bytes) {
  if (bytes < kMappedArrayBytes) return ::operator new(bytes);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void Graph::FreeArray(void* p, size_t bytes) {
  if (bytes < kMappedArrayBytes) {
    ::operator delete(p);
  } else {
    munmap(p, bytes);
  }
}

void Graph::Scratch::Begin(size_t nodes) {
  if (marks.size() < nodes) marks.resize(nodes, {0, 0});
  if (++epoch == 0) {  // wrapped: old stamps could collide
    std::fill(marks.begin(), marks.end(), Entry{0, 0});
    epoch = 1;
  }
}

std::unique_ptr<Graph::Scratch> Graph::AcquireScratch() const {
  std::lock_guard lock(scratch_mu_);
  if (scratch_pool_.empty()) return std::make_unique<Scratch>();
  std::unique_ptr<Scratch> scratch = std::move(scratch_pool_.back());
  scratch_pool_.pop_back();
  return scratch;
}

void Graph::ReleaseScratch(std::unique_ptr<Scratch> scratch) const {
  std::lock_guard lock(scratch_mu_);
  if (scratch_pool_.size() < kMaxScratchPool) scratch_pool_.push_back(std::move(scratch));
}

// ---------------------------------------------------------------- subtypes

uint16_t Graph::InternSubtype(const std::string& name) {
  if (name.empty()) return 0;
  {
    std::shared_lock lock(subtype_mu_);
    auto it = subtype_ids_.find(name);
    if (it != subtype_ids_.end()) return it->second;
  }
  std::unique_lock lock(subtype_mu_);
  if (subtype_names_.empty()) subtype_names_.push_back(nullptr);  // 0 is ""
  auto it = subtype_ids_.find(name);
  if (it != subtype_ids_.end()) return it->second;
  // Ids are 16 bits; past 65,535 names (far beyond the handful producers
  // use) a new name reads back as "".
  if (subtype_names_.size() > std::numeric_limits<uint16_t>::max()) return 0;
  const auto id = static_cast<uint16_t>(subtype_names_.size());
  it = subtype_ids_.emplace(name, id).first;
  subtype_names_.push_back(&it->first);
  return id;
}

std::string Graph::SubtypeName(uint16_t id) const {
  std::shared_lock lock(subtype_mu_);
  if (id == 0 || id >= subtype_names_.size()) return "";
  return *subtype_names_[id];
}

// ---------------------------------------------------------------- counts

size_t Graph::edge_count() const {
  std::shared_lock lock(mu_);
  return live_edges_;
}

size_t Graph::node_count() const {
  std::shared_lock lock(mu_);
  return live_nodes_;
}

// ---------------------------------------------------------------- lookups

uint32_t Graph::NodeIndex(NodeId node) const {
  return node_index_.Find(HashKey(node), [&](uint32_t n) { return node_ids_[n] == node; });
}

uint32_t Graph::NodeFor(NodeId node) {
  uint32_t n = NodeIndex(node);
  if (n != kNil) return n;
  n = static_cast<uint32_t>(node_ids_.size());
  node_ids_.push_back(node);
  degree_.push_back(0);
  if (adj_.empty()) adj_.push_back({{0, 0}, {kNil, kNil}});
  adj_.push_back(adj_.back());  // the sentinel moves up; lists stay empty
  node_index_.Insert(HashKey(node), n, [&](uint32_t m) { return HashKey(node_ids_[m]); });
  return n;
}

void Graph::RebuildNodeIndex() {
  node_index_.Clear();
  for (uint32_t n = 0; n < node_ids_.size(); ++n) {
    node_index_.Insert(HashKey(node_ids_[n]), n, [&](uint32_t m) { return HashKey(node_ids_[m]); });
  }
}

uint32_t Graph::FindSlot(EdgeId id) const {
  const uint32_t delta =
      delta_ids_.Find(HashKey(id), [&](uint32_t slot) { return IdAt(slot) == id; });
  return delta != kNil ? delta : FindBaseSlot(id);
}

// Searches by_id_, alternating interpolation steps (ids are mostly dense
// row ids: one or two steps find them) with bisection (O(log n) always).
uint32_t Graph::FindBaseSlot(EdgeId id) const {
  size_t lo = 0, hi = by_id_.size();  // id, if there, is in [lo, hi)
  for (bool interpolate = true; lo < hi; interpolate = !interpolate) {
    const int64_t first = IdAt(by_id_[lo]);
    const int64_t last = IdAt(by_id_[hi - 1]);
    if (id < first || id > last) return kNil;
    size_t mid = lo + (hi - lo) / 2;
    if (interpolate && last > first) {
      const __int128 offset = (static_cast<__int128>(id) - first) * (hi - 1 - lo) /
                              (static_cast<__int128>(last) - first);
      mid = lo + static_cast<size_t>(offset);
    }
    const int64_t at = IdAt(by_id_[mid]);
    if (at == id) {
      const uint32_t slot = by_id_[mid];
      return recs_[slot].src != kNil ? slot : kNil;
    }
    if (at < id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return kNil;
}

// ---------------------------------------------------------------- writes

void Graph::Upsert(const Edge& edge) {
  std::unique_lock lock(mu_);
  // Edges mostly come in id order (the store's at start, then new ones).
  const uint32_t slot = edge.id > max_id_ ? kNil : FindSlot(edge.id);
  max_id_ = std::max(max_id_, edge.id);
  if (slot != kNil) {
    EdgeRec& rec = recs_[slot];
    if (node_ids_[rec.src] == edge.source && node_ids_[rec.dst] == edge.target) {
      const uint32_t old = rec.attr;
      const uint32_t attr = EncodeAttrs(edge, slot);  // before the release: no churn
      recs_[slot].attr = attr;
      ReleaseAttrs(old);
      return;
    }
    KillSlot(slot);
  }
  AddSlot(edge);
  MaybeCompact();
}

void Graph::Remove(EdgeId id) {
  std::unique_lock lock(mu_);
  const uint32_t slot = FindSlot(id);
  if (slot == kNil) return;
  KillSlot(slot);
  MaybeCompact();
}

void Graph::AddDegree(uint32_t node) {
  if (degree_[node]++ == 0) ++live_nodes_;
}

void Graph::DropDegree(uint32_t node) {
  if (--degree_[node] == 0) --live_nodes_;
}

void Graph::AddSlot(const Edge& edge) {
  const uint32_t src = NodeFor(edge.source);
  const uint32_t dst = NodeFor(edge.target);
  const auto slot = static_cast<uint32_t>(recs_.size());
  recs_.push_back({src, dst, kNil});
  const auto id = static_cast<uint64_t>(edge.id);
  const bool wide = !id_hi_.empty() || (id >> 32) != 0;
  if (wide && id_hi_.empty()) id_hi_.assign(id_lo_.size(), 0);
  id_lo_.push_back(static_cast<uint32_t>(id));
  if (wide) id_hi_.push_back(static_cast<uint32_t>(id >> 32));
  if (raw_attrs_) {
    raw_job_.push_back(0);
    raw_from_.push_back(0);
    raw_to_.push_back(0);
  }
  const uint32_t attr = EncodeAttrs(edge, slot);  // may switch to raw mode
  recs_[slot].attr = attr;

  delta_links_.push_back({{kNil, kNil}});
  LinkDelta(slot, 0, src);
  LinkDelta(slot, 1, dst);
  delta_ids_.Insert(HashKey(edge.id), slot, [&](uint32_t s) { return HashKey(IdAt(s)); });
  AddDegree(src);
  AddDegree(dst);
  ++live_edges_;
}

void Graph::KillSlot(uint32_t slot) {
  EdgeRec& rec = recs_[slot];
  if (slot >= base_end_) {
    UnlinkDelta(slot, 0, rec.src);
    UnlinkDelta(slot, 1, rec.dst);
    const int64_t id = IdAt(slot);
    delta_ids_.Erase(
        HashKey(id), [&](uint32_t s) { return s == slot; },
        [&](uint32_t s) { return HashKey(IdAt(s)); });
  }
  ReleaseAttrs(rec.attr);
  DropDegree(rec.src);
  DropDegree(rec.dst);
  rec.src = kNil;
  --live_edges_;
  ++dead_slots_;
}

// Inserts `slot` into `node`'s delta list of direction `dir`, keeping the
// list in id order. Ids usually arrive in increasing order: O(1) at the
// tail; an older id walks the list.
void Graph::LinkDelta(uint32_t slot, int dir, uint32_t node) {
  uint32_t& tail = adj_[node].tail[dir];
  if (tail == kNil) {
    DeltaNext(slot, dir) = slot;
    tail = slot;
    return;
  }
  const int64_t id = IdAt(slot);
  uint32_t prev = tail;  // insert after prev
  if (IdAt(tail) < id) {
    tail = slot;
  } else {
    while (IdAt(DeltaNext(prev, dir)) < id) prev = DeltaNext(prev, dir);
  }
  DeltaNext(slot, dir) = DeltaNext(prev, dir);
  DeltaNext(prev, dir) = slot;
}

void Graph::UnlinkDelta(uint32_t slot, int dir, uint32_t node) {
  uint32_t& tail = adj_[node].tail[dir];
  uint32_t prev = tail;
  while (DeltaNext(prev, dir) != slot) prev = DeltaNext(prev, dir);
  if (prev == slot) {  // the only one
    tail = kNil;
    return;
  }
  DeltaNext(prev, dir) = DeltaNext(slot, dir);
  if (tail == slot) tail = prev;
}

void Graph::BeginLoad() {
  std::unique_lock lock(mu_);
  loading_ = true;
}

void Graph::EndLoad() {
  std::unique_lock lock(mu_);
  loading_ = false;
  MaybeCompact();
}

void Graph::MaybeCompact() {
  if (loading_) return;
  const size_t delta = recs_.size() - base_end_;
  const size_t dead_nodes = node_ids_.size() - live_nodes_;
  if (delta > std::max(kMinChurn, size_t{base_end_} / kDeltaFraction) ||
      dead_slots_ > std::max(kMinChurn, live_edges_ / 4) ||
      dead_nodes > std::max(kMinChurn, live_nodes_ / 2)) {
    Compact();
  }
}

// ---------------------------------------------------------------- attributes

uint32_t Graph::EncodeAttrs(const Edge& edge, uint32_t slot) {
  const uint32_t bits = (edge.valid_to == kOpenEnd ? kOpenBit : 0) |
                        (edge.type == EdgeType::kIndirect ? kIndirectBit : 0) |
                        (edge.masking ? kMaskingBit : 0);
  if (!raw_attrs_) {
    const Profile profile{edge.job, edge.valid_from, edge.valid_to, edge.subtype,
                          static_cast<uint8_t>(bits >> 29)};
    const uint64_t hash = HashProfile(profile);
    uint32_t code = profile_index_.Find(hash, [&](uint32_t c) { return profiles_[c] == profile; });
    if (code != kNil) {
      ++profile_refs_[code];
      return bits | code;
    }
    const size_t live_profiles = profiles_.size() - free_profiles_.size();
    const bool too_many = live_profiles >= std::max(kMinProfilesForRaw, live_edges_ / 2);
    if (!too_many && (!free_profiles_.empty() || profiles_.size() < kCodeMask)) {
      if (free_profiles_.empty()) {
        code = static_cast<uint32_t>(profiles_.size());
        profiles_.push_back(profile);
        profile_refs_.push_back(0);
      } else {
        code = free_profiles_.back();
        free_profiles_.pop_back();
        profiles_[code] = profile;
      }
      profile_refs_[code] = 1;
      profile_index_.Insert(hash, code, [&](uint32_t c) { return HashProfile(profiles_[c]); });
      return bits | code;
    }
    SwitchToRawAttrs();
  }
  raw_job_[slot] = edge.job;
  raw_from_[slot] = edge.valid_from;
  raw_to_[slot] = edge.valid_to;
  return bits | edge.subtype;
}

void Graph::ReleaseAttrs(uint32_t attr) {
  if (raw_attrs_) return;
  const uint32_t code = attr & kCodeMask;
  if (--profile_refs_[code] != 0) return;
  profile_index_.Erase(
      HashProfile(profiles_[code]), [&](uint32_t c) { return c == code; },
      [&](uint32_t c) { return HashProfile(profiles_[c]); });
  free_profiles_.push_back(code);
}

// One-way: a graph whose edges barely share attributes keeps them per slot.
void Graph::SwitchToRawAttrs() {
  raw_job_.assign(recs_.size(), 0);
  raw_from_.assign(recs_.size(), 0);
  raw_to_.assign(recs_.size(), 0);
  for (uint32_t slot = 0; slot < recs_.size(); ++slot) {
    EdgeRec& rec = recs_[slot];
    if (rec.src == kNil || rec.attr == kNil) continue;  // dead, or being added
    const Profile& p = profiles_[rec.attr & kCodeMask];
    raw_job_[slot] = p.job;
    raw_from_[slot] = p.valid_from;
    raw_to_[slot] = p.valid_to;
    rec.attr = (rec.attr & ~kCodeMask) | p.subtype;
  }
  Array<Profile>().swap(profiles_);
  Array<uint32_t>().swap(profile_refs_);
  std::vector<uint32_t>().swap(free_profiles_);
  profile_index_.Clear();
  raw_attrs_ = true;
}

void Graph::GetValidity(uint32_t slot, int64_t* from, int64_t* to) const {
  if (raw_attrs_) {
    *from = raw_from_[slot];
    *to = raw_to_[slot];
  } else {
    const Profile& p = profiles_[recs_[slot].attr & kCodeMask];
    *from = p.valid_from;
    *to = p.valid_to;
  }
}

Edge Graph::MakeEdge(uint32_t slot) const {
  return MakeEdge(slot, node_ids_[recs_[slot].src], node_ids_[recs_[slot].dst]);
}

Edge Graph::MakeEdge(uint32_t slot, NodeId source, NodeId target) const {
  const EdgeRec& rec = recs_[slot];
  Edge edge;
  edge.id = IdAt(slot);
  edge.source = source;
  edge.target = target;
  edge.type = (rec.attr & kIndirectBit) != 0 ? EdgeType::kIndirect : EdgeType::kDirect;
  edge.masking = (rec.attr & kMaskingBit) != 0;
  if (raw_attrs_) {
    edge.job = raw_job_[slot];
    edge.subtype = static_cast<uint16_t>(rec.attr & 0xFFFF);
    edge.valid_from = raw_from_[slot];
    edge.valid_to = raw_to_[slot];
  } else {
    const Profile& p = profiles_[rec.attr & kCodeMask];
    edge.job = p.job;
    edge.subtype = p.subtype;
    edge.valid_from = p.valid_from;
    edge.valid_to = p.valid_to;
  }
  return edge;
}

}  // namespace cadastre::lineage
