/* The heap analysis's steps that numpy cannot do in bulk, over int32 node ids and arrays numpy owns:
 * which object holds each of millions of addresses (a binary search without numpy's temporaries),
 * the graph's adjacency, a breadth-first search, Semi-NCA dominators and retained sizes.
 * Compiled on first use by graphnative.py and called through ctypes. Every function returns 0, or -1
 * when memory for its scratch arrays cannot be had. Node 0 is the graph's pseudo-root. */

#include <stdint.h>
#include <stdlib.h>

typedef int32_t node_t;
typedef int32_t edge_t; /* an index into an adjacency: fewer than 2**31 edges */
typedef uint32_t word_t; /* a pointer word's index in the object or root holding it */

#define UNREACHED (-2)

typedef struct {
    node_t src;
    word_t off;
} ref_t;

static int ref_less(const ref_t *a, const ref_t *b) {
    return a->src < b->src || (a->src == b->src && a->off < b->off);
}

static int ref_cmp(const void *a, const void *b) {
    const ref_t *x = a, *y = b;
    return ref_less(x, y) ? -1 : ref_less(y, x) ? 1 : 0;
}

/* Who points to each node: start[n+1], src and off of the m edges grouped by dst, each group sorted
 * by (src, off) and cut to one edge per src (its first pointer word). The number of edges kept goes to
 * *kept. */
int godap_reverse_csr(int64_t n, int64_t m, const node_t *src, const node_t *dst, const word_t *off,
                      edge_t *start, node_t *out_src, word_t *out_off, int64_t *kept) {
    for (int64_t v = 0; v <= n; v++) start[v] = 0;
    for (int64_t e = 0; e < m; e++) start[dst[e] + 1]++;
    for (int64_t v = 0; v < n; v++) start[v + 1] += start[v];
    for (int64_t e = 0; e < m; e++) {  /* start[d] advances to the end of d's group */
        edge_t at = start[dst[e]]++;
        out_src[at] = src[e];
        out_off[at] = off[e];
    }
    ref_t *scratch = NULL;
    int64_t scratch_len = 0, write = 0, lo = 0;
    for (int64_t v = 0; v < n; v++) {
        int64_t hi = start[v], len = hi - lo;
        if (len > 16) {
            if (len > scratch_len) {
                free(scratch);
                scratch = malloc(sizeof(ref_t) * (size_t)len);
                scratch_len = len;
                if (scratch == NULL) return -1;
            }
            for (int64_t i = 0; i < len; i++) scratch[i] = (ref_t){out_src[lo + i], out_off[lo + i]};
            qsort(scratch, (size_t)len, sizeof(ref_t), ref_cmp);
            for (int64_t i = 0; i < len; i++) out_src[lo + i] = scratch[i].src, out_off[lo + i] = scratch[i].off;
        } else {  /* insertion sort: most objects have one or two referrers */
            for (int64_t i = lo + 1; i < hi; i++) {
                ref_t r = {out_src[i], out_off[i]};
                int64_t j = i;
                for (; j > lo && ref_less(&r, &(ref_t){out_src[j - 1], out_off[j - 1]}); j--)
                    out_src[j] = out_src[j - 1], out_off[j] = out_off[j - 1];
                out_src[j] = r.src, out_off[j] = r.off;
            }
        }
        start[v] = (edge_t)write;
        for (int64_t i = lo; i < hi; i++) {
            if (i > lo && out_src[i] == out_src[i - 1]) continue;
            out_src[write] = out_src[i], out_off[write] = out_off[i];
            write++;
        }
        lo = hi;
    }
    start[n] = (edge_t)write;
    free(scratch);
    *kept = write;
    return 0;
}

/* What each node points to (fstart[n+1], fdst), from the reverse adjacency. */
int godap_forward_csr(int64_t n, const edge_t *rstart, const node_t *rsrc, edge_t *fstart, node_t *fdst) {
    for (int64_t v = 0; v <= n; v++) fstart[v] = 0;
    for (int64_t e = 0; e < rstart[n]; e++) fstart[rsrc[e] + 1]++;
    for (int64_t v = 0; v < n; v++) fstart[v + 1] += fstart[v];
    for (int64_t t = 0; t < n; t++)
        for (int64_t e = rstart[t]; e < rstart[t + 1]; e++) fdst[fstart[rsrc[e]]++] = (node_t)t;
    for (int64_t v = n; v > 0; v--) fstart[v] = fstart[v - 1];
    fstart[0] = 0;
    return 0;
}

/* Breadth-first search from node 0: parent[v] (-1 for node 0, UNREACHED), the reached nodes in
 * order, and their number in *count. */
int godap_bfs(int64_t n, const edge_t *fstart, const node_t *fdst, node_t *parent, node_t *order, int64_t *count) {
    for (int64_t v = 0; v < n; v++) parent[v] = UNREACHED;
    int64_t head = 0, tail = 0;
    if (n > 0) parent[0] = -1, order[tail++] = 0;
    while (head < tail) {
        node_t v = order[head++];
        for (int64_t e = fstart[v]; e < fstart[v + 1]; e++) {
            node_t w = fdst[e];
            if (parent[w] == UNREACHED) parent[w] = v, order[tail++] = w;
        }
    }
    *count = tail;
    return 0;
}

/* Depth-first numbering from node 0, the first half of the dominator computation: pre[v] (the
 * preorder number of node v, -1 where unreached), vertex[i] (the node numbered i) and dparent[i]
 * (the number of its DFS parent); the number of nodes reached goes to *count. */
int godap_dfs(int64_t n, const edge_t *fstart, const node_t *fdst, node_t *pre, node_t *vertex, node_t *dparent,
              int64_t *count) {
    *count = 0;
    if (n == 0) return 0;
    node_t *stack = malloc(sizeof(node_t) * (size_t)n);
    edge_t *cursor = malloc(sizeof(edge_t) * (size_t)n); /* the next edge of each node on the stack */
    if (!stack || !cursor) {
        free(stack), free(cursor);
        return -1;
    }
    for (int64_t v = 0; v < n; v++) pre[v] = -1;
    int64_t numbered = 1, depth = 1;
    pre[0] = 0, vertex[0] = 0, dparent[0] = 0, stack[0] = 0, cursor[0] = fstart[0];
    while (depth > 0) {
        node_t v = stack[depth - 1];
        if (cursor[depth - 1] == fstart[v + 1]) {
            depth--;
            continue;
        }
        node_t w = fdst[cursor[depth - 1]++];
        if (pre[w] >= 0) continue;
        pre[w] = (node_t)numbered, vertex[numbered] = w, dparent[numbered] = pre[v];
        numbered++;
        stack[depth] = w, cursor[depth] = fstart[w];
        depth++;
    }
    free(stack), free(cursor);
    *count = numbered;
    return 0;
}

/* Immediate dominators by Semi-NCA (Georgiadis), from the numbering godap_dfs made: semidominators
 * come from path-compressed evaluation over each node's predecessors, and each node's immediate
 * dominator is the nearest ancestor, in the dominator tree built so far, of its DFS parent that is
 * not below its semidominator. idom[v] is a node id, -1 for node 0, UNREACHED. */
int godap_semi_nca(int64_t n, int64_t count, const edge_t *rstart, const node_t *rsrc, const node_t *pre,
                   const node_t *vertex, const node_t *dparent, node_t *idom) {
    if (count == 0) return 0;
    node_t *semi = malloc(sizeof(node_t) * (size_t)count);
    node_t *label = malloc(sizeof(node_t) * (size_t)count);
    node_t *ancestor = malloc(sizeof(node_t) * (size_t)count);
    if (!semi || !label || !ancestor) {
        free(semi), free(label), free(ancestor);
        return -1;
    }
    for (int64_t i = 0; i < count; i++) semi[i] = (node_t)i, label[i] = (node_t)i, ancestor[i] = -1;
    node_t *path = idom; /* idom is free until the end: the compression path */
    for (int64_t i = count - 1; i > 0; i--) {
        node_t w = vertex[i];
        for (int64_t e = rstart[w]; e < rstart[w + 1]; e++) {
            node_t j = pre[rsrc[e]];
            if (j < 0) continue;
            node_t u = j;
            if (ancestor[j] >= 0) { /* eval(j): compress the path to its forest root, then its label */
                int64_t len = 0;
                for (node_t x = j; ancestor[ancestor[x]] >= 0; x = ancestor[x]) path[len++] = x;
                while (len > 0) {
                    node_t x = path[--len], a = ancestor[x];
                    if (semi[label[a]] < semi[label[x]]) label[x] = label[a];
                    ancestor[x] = ancestor[a];
                }
                u = label[j];
            }
            if (semi[u] < semi[i]) semi[i] = semi[u];
        }
        ancestor[i] = dparent[i]; /* link */
    }
    node_t *dom = label; /* the labels are done with: immediate dominators by preorder number */
    dom[0] = 0;
    for (int64_t i = 1; i < count; i++) {
        node_t j = dparent[i];
        while (j > semi[i]) j = dom[j];
        dom[i] = j;
    }
    for (int64_t v = 0; v < n; v++) idom[v] = UNREACHED;
    idom[0] = -1;
    for (int64_t i = 1; i < count; i++) idom[vertex[i]] = vertex[dom[i]];
    free(semi), free(label), free(ancestor);
    return 0;
}

/* Bytes each node keeps alive: total[] holds the sizes and gets, from the far end of the BFS order
 * (a dominator is nearer the roots), each node's total added to its immediate dominator's. */
int godap_retained(int64_t count, const node_t *order, const node_t *idom, int64_t *total) {
    for (int64_t k = count - 1; k > 0; k--) total[idom[order[k]]] += total[order[k]];
    return 0;
}

/* The object each of the k addresses lies in, -1 where none does: objects sorted by address, with
 * their slot sizes. */
int godap_containing(int64_t n, const uint64_t *addr, const int64_t *size, int64_t k, const uint64_t *query,
                     node_t *out) {
    for (int64_t q = 0; q < k; q++) {
        uint64_t a = query[q];
        int64_t lo = 0, hi = n; /* the first object above a is at hi */
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (addr[mid] <= a) lo = mid + 1;
            else hi = mid;
        }
        out[q] = lo > 0 && a - addr[lo - 1] < (uint64_t)size[lo - 1] ? (node_t)(lo - 1) : -1;
    }
    return 0;
}

/* The 8-byte words at k addresses, from r address ranges (sorted, disjoint) each held in memory at
 * data[i]; ok[q] says whether address q lay in a range (its value is 0 when not). */
int godap_gather(int64_t r, const uint64_t *starts, const uint64_t *ends, const uint64_t *data, int64_t k,
                 const uint64_t *addrs, uint64_t *values, uint8_t *ok) {
    for (int64_t q = 0; q < k; q++) {
        uint64_t a = addrs[q];
        int64_t lo = 0, hi = r;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (starts[mid] <= a) lo = mid + 1;
            else hi = mid;
        }
        int found = lo > 0 && a < ends[lo - 1];
        values[q] = found ? ((const uint64_t *)(uintptr_t)data[lo - 1])[(a - starts[lo - 1]) >> 3] : 0;
        ok[q] = (uint8_t)found;
    }
    return 0;
}
