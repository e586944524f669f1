package io.herald.metadata.image;

import java.util.Comparator;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable sorted map whose {@link #put} and {@link #remove} return a new map sharing all but O(log n) nodes with
 * this one (path copying in a treap: a binary search tree by key that is a max-heap by a priority derived from the
 * key's hash, so its expected depth is logarithmic whatever the insertion order).
 *
 * <p>Why: a cluster image is replaced by a new one for every metadata record, and a log replay or a snapshot restore
 * folds every ACL binding's record one at a time; copying a {@code TreeMap} of n bindings per record made folding n
 * of them quadratic (seconds for Kafka's 10,000 bindings of one CreateAcls, minutes for a large cluster's ACLs).
 *
 * <p>Invariants: in-order traversal is ascending by {@code order} with no two equal keys; a node's priority is not
 * below its children's; a node's size counts its subtree. The tree's shape depends on the keys' hash codes, which
 * may differ between JVMs (enums hash by identity), but nothing observable does: lookups and the in-order
 * traversal do not. Immutable and thread-safe; null keys and values are refused.
 */
final class PersistentTreap<K, V> {
    private record Node<K, V>(K key, V value, int priority, Node<K, V> left, Node<K, V> right, int size) {
        static <K, V> Node<K, V> of(K key, V value, int priority, Node<K, V> left, Node<K, V> right) {
            return new Node<>(key, value, priority, left, right, 1 + sizeOf(left) + sizeOf(right));
        }

        Node<K, V> withChildren(Node<K, V> newLeft, Node<K, V> newRight) {
            return of(key, value, priority, newLeft, newRight);
        }
    }

    private final Comparator<? super K> order;
    private final Node<K, V> root;

    private PersistentTreap(Comparator<? super K> order, Node<K, V> root) {
        this.order = order;
        this.root = root;
    }

    /** An empty map ordered by {@code order}. */
    static <K, V> PersistentTreap<K, V> empty(Comparator<? super K> order) {
        return new PersistentTreap<>(Objects.requireNonNull(order, "order"), null);
    }

    int size() {
        return sizeOf(root);
    }

    boolean isEmpty() {
        return root == null;
    }

    /** The value of {@code key}, or null if it has none. */
    V get(K key) {
        Node<K, V> node = root;
        while (node != null) {
            int c = order.compare(key, node.key());
            if (c == 0) {
                return node.value();
            }
            node = c < 0 ? node.left() : node.right();
        }
        return null;
    }

    /** This map with {@code key} mapped to {@code value}, replacing its value if it has one. */
    PersistentTreap<K, V> put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return new PersistentTreap<>(order, insert(root, key, value, priority(key)));
    }

    /** This map without {@code key}; this same map if it has no such key. */
    PersistentTreap<K, V> remove(K key) {
        Node<K, V> newRoot = delete(root, key);
        return newRoot == root ? this : new PersistentTreap<>(order, newRoot);
    }

    /** Every entry, in ascending key order. */
    void forEach(BiConsumer<? super K, ? super V> action) {
        forEach(root, action);
    }

    private Node<K, V> insert(Node<K, V> node, K key, V value, int priority) {
        if (node == null) {
            return Node.of(key, value, priority, null, null);
        }
        int c = order.compare(key, node.key());
        if (c == 0) {
            return Node.of(key, value, node.priority(), node.left(), node.right());
        }
        if (c < 0) {
            Node<K, V> left = insert(node.left(), key, value, priority);
            return left.priority() > node.priority()
                    ? left.withChildren(left.left(), node.withChildren(left.right(), node.right())) // rotate right
                    : node.withChildren(left, node.right());
        }
        Node<K, V> right = insert(node.right(), key, value, priority);
        return right.priority() > node.priority()
                ? right.withChildren(node.withChildren(node.left(), right.left()), right.right()) // rotate left
                : node.withChildren(node.left(), right);
    }

    private Node<K, V> delete(Node<K, V> node, K key) {
        if (node == null) {
            return null;
        }
        int c = order.compare(key, node.key());
        if (c == 0) {
            return merge(node.left(), node.right());
        }
        if (c < 0) {
            Node<K, V> left = delete(node.left(), key);
            return left == node.left() ? node : node.withChildren(left, node.right());
        }
        Node<K, V> right = delete(node.right(), key);
        return right == node.right() ? node : node.withChildren(node.left(), right);
    }

    /** The union of two trees whose keys are all below ({@code low}) and above ({@code high}) each other's. */
    private static <K, V> Node<K, V> merge(Node<K, V> low, Node<K, V> high) {
        if (low == null) {
            return high;
        }
        if (high == null) {
            return low;
        }
        return low.priority() > high.priority()
                ? low.withChildren(low.left(), merge(low.right(), high))
                : high.withChildren(merge(low, high.left()), high.right());
    }

    private static <K, V> void forEach(Node<K, V> node, BiConsumer<? super K, ? super V> action) {
        while (node != null) {
            forEach(node.left(), action);
            action.accept(node.key(), node.value());
            node = node.right();
        }
    }

    private static int sizeOf(Node<?, ?> node) {
        return node == null ? 0 : node.size();
    }

    /** A well-spread priority from the key's hash (a murmur3 finalizer), so that clustered hashes still balance. */
    private static int priority(Object key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
