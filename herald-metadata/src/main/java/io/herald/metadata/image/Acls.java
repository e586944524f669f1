package io.herald.metadata.image;

import io.herald.metadata.authz.AclAuthorizer.AclIndex;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * Every ACL binding of the cluster, by id: the fold of the metadata log's access control entry records (a record
 * adds its binding under its id, a removal record drops the id), as Kafka's AclsImage is.
 *
 * <p>Invariants: ids are sorted ({@link Uuid} order), so describing and writing a snapshot are deterministic; no
 * binding appears under two ids (the controller never writes a binding that exists; a record that gives an id another
 * binding drops the old one, and one that names a binding held under another id moves it). Immutable: {@link #with}
 * and {@link #without} return new values sharing all but O(log n) of this one ({@link PersistentTreap}), and an image
 * derived by a record of another kind keeps the same instance.
 *
 * <p>Derived views are built at most once per instance, on first use: the {@link #byId()} map (describing, deleting,
 * snapshots) and the {@link AclIndex} the authorizer reads on every request. A log replay that folds thousands of ACL
 * records builds none of the intermediate ones. Thread-safe: a view is published through a volatile field; two
 * threads that both find it missing both build it, and either (equal) result is kept.
 */
public final class Acls {
    /** A total order of bindings, consistent with {@link AclBinding#equals}: by every field of pattern and entry. */
    private static final Comparator<AclBinding> BINDING_ORDER = Comparator
            .<AclBinding>comparingInt(b -> b.pattern().resourceType().ordinal())
            .thenComparing(b -> b.pattern().name())
            .thenComparingInt(b -> b.pattern().patternType().ordinal())
            .thenComparing(b -> b.entry().principal())
            .thenComparing(b -> b.entry().host())
            .thenComparingInt(b -> b.entry().operation().ordinal())
            .thenComparingInt(b -> b.entry().permissionType().ordinal());

    /** No binding: a cluster before its first CreateAcls. */
    public static final Acls EMPTY = new Acls(PersistentTreap.empty(Comparator.naturalOrder()),
            PersistentTreap.empty(BINDING_ORDER));

    private final PersistentTreap<Uuid, AclBinding> bindingsById;
    private final PersistentTreap<AclBinding, Uuid> idsByBinding;
    private volatile SortedMap<Uuid, AclBinding> byId;
    private volatile AclIndex index;

    private Acls(PersistentTreap<Uuid, AclBinding> bindingsById, PersistentTreap<AclBinding, Uuid> idsByBinding) {
        this.bindingsById = bindingsById;
        this.idsByBinding = idsByBinding;
    }

    /** Id → binding, in id order; unmodifiable, built once per instance on first use. */
    public SortedMap<Uuid, AclBinding> byId() {
        SortedMap<Uuid, AclBinding> built = byId;
        if (built == null) {
            TreeMap<Uuid, AclBinding> map = new TreeMap<>();
            bindingsById.forEach(map::put);
            built = Collections.unmodifiableSortedMap(map);
            byId = built;
        }
        return built;
    }

    /** Every binding, in id order. */
    public Collection<AclBinding> bindings() {
        return byId().values();
    }

    /** The binding of {@code id}, if it exists. */
    public Optional<AclBinding> binding(Uuid id) {
        return Optional.ofNullable(bindingsById.get(id));
    }

    /** The id of {@code binding}, if it exists. O(log n). */
    public Optional<Uuid> id(AclBinding binding) {
        return Optional.ofNullable(idsByBinding.get(binding));
    }

    /** Whether {@code binding} exists. O(log n). */
    public boolean contains(AclBinding binding) {
        return idsByBinding.get(binding) != null;
    }

    /** The bindings {@code filter} matches ({@link AclBindingFilter#matches}), in id order. */
    public List<AclBinding> matching(AclBindingFilter filter) {
        return bindings().stream().filter(filter::matches).toList();
    }

    public int size() {
        return bindingsById.size();
    }

    public boolean isEmpty() {
        return bindingsById.isEmpty();
    }

    /** The bindings indexed for authorization; built once per instance, on first use. */
    public AclIndex index() {
        AclIndex built = index;
        if (built == null) {
            built = isEmpty() ? AclIndex.EMPTY : new AclIndex(bindings());
            index = built;
        }
        return built;
    }

    /** These bindings with {@code binding} under {@code id}, replacing the binding {@code id} had. */
    Acls with(Uuid id, AclBinding binding) {
        PersistentTreap<Uuid, AclBinding> newById = bindingsById;
        PersistentTreap<AclBinding, Uuid> newIds = idsByBinding;
        AclBinding replaced = newById.get(id);
        if (replaced != null) {
            newIds = newIds.remove(replaced);
        }
        Uuid previous = newIds.get(binding);
        if (previous != null && !previous.equals(id)) {
            // A log the controller wrote never holds a binding twice; keep one id per binding all the same.
            newById = newById.remove(previous);
        }
        return new Acls(newById.put(id, binding), newIds.put(binding, id));
    }

    /** These bindings without {@code id}'s; the same if it has none. */
    Acls without(Uuid id) {
        AclBinding removed = bindingsById.get(id);
        if (removed == null) {
            return this;
        }
        return new Acls(bindingsById.remove(id), idsByBinding.remove(removed));
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Acls other && byId().equals(other.byId());
    }

    @Override
    public int hashCode() {
        return byId().hashCode();
    }

    @Override
    public String toString() {
        return "Acls" + byId();
    }
}
