// An in-memory lineage graph: compact adjacency in both directions over
// integer node ids, with the attributes traversals filter on. It is a cache
// of the store's edges (loaded at start, updated after each committed
// write), never the truth. Thread-safe: many readers, one writer.
//
// The same class holds the column graph (nodes are column ids, edges are
// column edges) and the dataset graph (nodes are dataset ids, one edge per
// input dataset -> job -> output dataset).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace cadastre::lineage {

using NodeId = int64_t;
using EdgeId = int64_t;

inline constexpr int64_t kOpenEnd = std::numeric_limits<int64_t>::max();

enum class EdgeType : uint8_t { kDirect = 0, kIndirect = 1 };

struct Edge {
  EdgeId id = 0;
  NodeId source = 0;
  NodeId target = 0;
  int64_t job = 0;
  EdgeType type = EdgeType::kDirect;
  uint16_t subtype = 0;  // an id from Graph::InternSubtype; 0 is ""
  bool masking = false;
  int64_t valid_from = 0;         // microseconds since the epoch
  int64_t valid_to = kOpenEnd;    // exclusive; kOpenEnd while the edge holds
};

enum class Direction { kUpstream, kDownstream, kBoth };

// Which edges a walk may follow.
struct EdgeFilter {
  std::optional<int64_t> as_of;      // unset: edges that hold now (valid_to == kOpenEnd)
  std::optional<EdgeType> type;      // unset: any
  bool stop_at_masking = false;      // do not follow edges with masking=true
};

struct TraversalQuery {
  std::vector<NodeId> start;
  Direction direction = Direction::kBoth;
  int max_depth = 10;      // hops; 0 = only the start nodes
  int max_nodes = 10000;   // at most this many nodes in the result, starts included
  EdgeFilter filter;
};

struct ReachedNode {
  NodeId node;
  int depth;  // hops from the nearest start node
};

struct TraversalResult {
  std::vector<ReachedNode> nodes;  // in breadth-first order, starts first
  std::vector<Edge> edges;         // every followed edge between returned nodes, once
  bool truncated = false;          // stopped by max_nodes (not by max_depth)
  bool depth_limited = false;      // some node at max_depth had further edges
};

// A path is the edges from `from` to `to`, in order.
using Path = std::vector<Edge>;

// One classification a node inherits, and how.
struct Inheritance {
  NodeId origin;         // the upstream node that carries it
  std::vector<Edge> path;  // from origin down to the node asked about
};

using NodePredicate = std::function<bool(NodeId)>;

class Graph {
 public:
  // Adds the edge, or replaces the one with the same id (its endpoints may
  // change). Removing an unknown id is a no-op.
  void Upsert(const Edge& edge);
  void Remove(EdgeId id);

  // A load of many edges at once (the store's, into a graph nobody reads
  // yet): writes leave the delta to grow until EndLoad, which compacts
  // once. Compacting as it grows would lay the base out again dozens of
  // times (a quarter larger each time) before the load ends. Reads during
  // a load are right (a walk compacts for itself); a graph whose load does
  // not end never compacts on writes, so a failed load is thrown away.
  void BeginLoad();
  void EndLoad();

  // Subtype names are stored once; answers the id for `name`, adding it.
  uint16_t InternSubtype(const std::string& name);
  std::string SubtypeName(uint16_t id) const;

  size_t edge_count() const;
  size_t node_count() const;  // nodes with at least one edge

  // Breadth-first walk from query.start. Cycles are walked once.
  TraversalResult Traverse(const TraversalQuery& query) const;

  // Up to `max_paths` shortest paths (fewest hops, at most `max_depth`)
  // following edges downstream from `from` to `to`; empty when none.
  std::vector<Path> ShortestPaths(NodeId from, NodeId to, int max_depth, int max_paths,
                                  const EdgeFilter& filter) const;

  // The sources of a classification that `node` inherits: walking
  // upstream from `node` along DIRECT, non-masking edges that hold (as of
  // filter.as_of), every node for which `carries(n)` is true is an origin,
  // reached by its shortest path. The walk does not go through a node for
  // which `blocks(n)` is true (a node that blocks cannot pass it on, but
  // `node` itself may block: then the answer is empty). At most
  // `max_depth` hops and `max_nodes` visited.
  std::vector<Inheritance> InheritedFrom(NodeId node, const NodePredicate& carries,
                                         const NodePredicate& blocks,
                                         std::optional<int64_t> as_of, int max_depth,
                                         int max_nodes) const;

  // Every node downstream of `starts` along DIRECT, non-masking edges that
  // hold now, not passing through nodes for which `blocks(n)` is true;
  // starts excluded. Used to find where a classification flows.
  std::vector<NodeId> ReachableDirect(const std::vector<NodeId>& starts,
                                      const NodePredicate& blocks, int max_nodes) const;

 private:
  // Representation (the invariants are spelled out in graph.cc).
  //
  // Nodes get dense indices in order of first appearance. Edges live in
  // slots. Slots [0, base_end_) are the base, laid out as the CSR of
  // downstream adjacency: grouped by source node, each group in edge-id
  // order, so a downstream walk reads them sequentially; the upstream
  // adjacency is a second CSR of slots. Slots from base_end_ on are the
  // delta, edges added since the last compaction, linked into per-node
  // circular lists kept in edge-id order. Removing an edge (or moving it to
  // other endpoints) leaves a tombstone in its slot. Compact() folds the
  // delta into the base and drops tombstones and edgeless nodes once either
  // passes a fraction of the graph, which keeps writes amortised O(1); a
  // walk runs it first when the delta has grown big enough to slow walks.
  //
  // The attributes of an edge other than its endpoints are packed into one
  // word: three flag bits (holds now, INDIRECT, masking) that the common
  // filters test without another lookup, and either the index of a shared
  // Profile (job, subtype, validity; lineage repeats these a lot) or, once
  // profiles stop paying off, the subtype with the rest in per-slot arrays.
  static constexpr uint32_t kNil = 0xFFFFFFFFu;
  static constexpr uint32_t kOpenBit = 1u << 31;      // valid_to == kOpenEnd
  static constexpr uint32_t kIndirectBit = 1u << 30;  // type == kIndirect
  static constexpr uint32_t kMaskingBit = 1u << 29;
  static constexpr uint32_t kCodeMask = kMaskingBit - 1;

  // Large arrays are mapped straight from the system, so the pages of one
  // that is freed (compaction replaces them all) go back at once instead of
  // lingering in the malloc heap, and capacity never written is never
  // resident. Small ones come from operator new.
  static void* AllocateArray(size_t bytes);
  static void FreeArray(void* p, size_t bytes);
  template <typename T>
  struct PageAllocator {
    using value_type = T;
    PageAllocator() = default;
    template <typename U>
    PageAllocator(const PageAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(AllocateArray(n * sizeof(T))); }
    void deallocate(T* p, size_t n) { FreeArray(p, n * sizeof(T)); }
    template <typename U>
    bool operator==(const PageAllocator<U>&) const {
      return true;
    }
  };
  template <typename T>
  using Array = std::vector<T, PageAllocator<T>>;

  // An open-addressing hash index (linear probing, backward-shift erase)
  // that stores only uint32 values; callers pass the key's hash and compare
  // keys through the value, so an entry costs 4 bytes over the load factor.
  // The member templates are defined in graph.cc, their only user.
  class FlatIndex {
   public:
    template <typename Eq>
    uint32_t Find(uint64_t hash, const Eq& eq) const;  // kNil when absent
    template <typename HashOf>
    void Insert(uint64_t hash, uint32_t value, const HashOf& hash_of);  // absent
    template <typename Eq, typename HashOf>
    void Erase(uint64_t hash, const Eq& eq, const HashOf& hash_of);
    void Clear();
    size_t size() const { return size_; }

   private:
    template <typename HashOf>
    void Grow(const HashOf& hash_of);
    Array<uint32_t> slots_;
    size_t size_ = 0;
  };

  struct EdgeRec {
    uint32_t src;   // node index; kNil marks a tombstone
    uint32_t dst;   // node index
    uint32_t attr;  // flag bits | profile index (or subtype in raw mode)
  };
  struct Profile {
    int64_t job;
    int64_t valid_from;
    int64_t valid_to;
    uint16_t subtype;
    uint8_t bits;  // attr's flag bits >> 29
    bool operator==(const Profile&) const = default;
  };
  // A node's adjacency, indexed by direction (0: out, downstream; 1: in):
  // its base list starts at begin[dir] and ends where the next node's
  // starts; its delta list is circular and singly linked, and tail[dir] is
  // its last (highest id) entry, whose successor is the first. One struct
  // so that expanding a node costs one cache miss, not three.
  struct NodeAdj {
    uint32_t begin[2];
    uint32_t tail[2];
  };
  struct DeltaLink {
    uint32_t next[2];
  };
  // Per-query marks: node n is marked in this query iff marks[n].stamp ==
  // epoch (nothing is cleared between queries); marks[n].value is the
  // query's datum for it, next to the stamp so one cache miss reads both.
  struct Scratch {
    struct Entry {
      uint32_t stamp;
      uint32_t value;
    };
    Array<Entry> marks;
    uint32_t epoch = 0;
    void Begin(size_t nodes);
    bool Marked(uint32_t n) const { return marks[n].stamp == epoch; }
    void Mark(uint32_t n, uint32_t value) { marks[n] = {epoch, value}; }
    uint32_t& Value(uint32_t n) { return marks[n].value; }
  };
  class ScratchLease;  // graph_walk.cc

  // ---- graph.cc
  static uint64_t HashKey(int64_t key);
  static uint64_t HashProfile(const Profile& p);
  int64_t IdAt(uint32_t slot) const {
    const uint64_t lo = id_lo_[slot];
    return id_hi_.empty() ? static_cast<int64_t>(lo)
                          : static_cast<int64_t>((uint64_t{id_hi_[slot]} << 32) | lo);
  }
  uint32_t NodeIndex(NodeId node) const;  // kNil when unknown
  uint32_t NodeFor(NodeId node);          // adds the node when unknown
  uint32_t FindSlot(EdgeId id) const;     // the live slot of `id`, or kNil
  uint32_t FindBaseSlot(EdgeId id) const;
  void AddSlot(const Edge& edge);
  void KillSlot(uint32_t slot);
  void AddDegree(uint32_t node);
  void DropDegree(uint32_t node);
  void LinkDelta(uint32_t slot, int dir, uint32_t node);
  void UnlinkDelta(uint32_t slot, int dir, uint32_t node);
  uint32_t& DeltaNext(uint32_t slot, int dir) { return delta_links_[slot - base_end_].next[dir]; }
  uint32_t DeltaNext(uint32_t slot, int dir) const {
    return delta_links_[slot - base_end_].next[dir];
  }
  uint32_t EncodeAttrs(const Edge& edge, uint32_t slot);
  void ReleaseAttrs(uint32_t attr);
  void SwitchToRawAttrs();
  void GetValidity(uint32_t slot, int64_t* from, int64_t* to) const;
  Edge MakeEdge(uint32_t slot) const;
  Edge MakeEdge(uint32_t slot, NodeId source, NodeId target) const;
  void MaybeCompact();
  void RebuildNodeIndex();
  std::unique_ptr<Scratch> AcquireScratch() const;
  void ReleaseScratch(std::unique_ptr<Scratch> scratch) const;
  // ---- graph_compact.cc
  void Compact();
  void CompactForReads() const;
  // ---- graph_walk.cc
  bool Follows(uint32_t slot, uint32_t attr, const EdgeFilter& filter) const;
  template <typename Fn>
  bool ForEachEdge(uint32_t node, int dir, const Fn& fn) const;
  void Prefetch(uint32_t node, int first_dir, int last_dir) const;

  mutable std::shared_mutex mu_;  // guards everything below but the subtypes

  // Nodes, by index.
  Array<NodeId> node_ids_;
  Array<uint32_t> degree_;  // live edge ends; a self-loop counts twice
  FlatIndex node_index_;    // NodeId -> index
  size_t live_nodes_ = 0;   // nodes with degree > 0

  // Edges, by slot.
  Array<EdgeRec> recs_;
  Array<uint32_t> id_lo_;
  Array<uint32_t> id_hi_;  // empty while every id fits in 32 bits
  size_t live_edges_ = 0;
  EdgeId max_id_ = 0;  // the highest id ever added: a higher one is new
  size_t dead_slots_ = 0;

  // Adjacency: by node, plus a sentinel that ends the last node's lists.
  Array<NodeAdj> adj_;

  // The base: slots [0, base_end_) grouped by source (out lists), and:
  uint32_t base_end_ = 0;
  bool loading_ = false;      // between BeginLoad and EndLoad: no compaction
  Array<uint32_t> in_edges_;  // base slots grouped by target (in lists)
  Array<uint32_t> by_id_;     // base slots in id order

  // The delta.
  Array<DeltaLink> delta_links_;  // by slot - base_end_
  FlatIndex delta_ids_;           // edge id -> delta slot

  // Attributes: profiles, or raw per-slot arrays once raw_attrs_.
  bool raw_attrs_ = false;
  Array<Profile> profiles_;
  Array<uint32_t> profile_refs_;
  std::vector<uint32_t> free_profiles_;
  FlatIndex profile_index_;
  Array<int64_t> raw_job_, raw_from_, raw_to_;

  mutable std::mutex scratch_mu_;
  mutable std::vector<std::unique_ptr<Scratch>> scratch_pool_;

  mutable std::shared_mutex subtype_mu_;
  std::unordered_map<std::string, uint16_t> subtype_ids_;
  std::vector<const std::string*> subtype_names_;  // keys of subtype_ids_
};

}  // namespace cadastre::lineage
