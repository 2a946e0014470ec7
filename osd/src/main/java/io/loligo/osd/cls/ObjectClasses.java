package io.loligo.osd.cls;

import io.loligo.common.Invariants;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry of server-side object classes (Ceph's ClassHandler, with the classes compiled in
 * rather than loaded from .so files): class name → method name → {@link Method}. A method is
 * registered as reading or writing (Ceph's CLS_METHOD_RD/WR); a writing method must be called in
 * a write op. Class names starting with "_" are reserved for the OSD. The built-in registry
 * ({@link #builtin()}) holds {@link NumOps}, {@link Lock}, {@link BucketIndex} and {@link RgwIndex}.
 */
public final class ObjectClasses {
    /** A registered method and whether it may write. */
    public record Method(String className, String name, boolean writes, ClassMethod impl) {}

    private final Map<String, Map<String, Method>> classes = new TreeMap<>();

    private static final ObjectClasses BUILTIN = new ObjectClasses();

    static {
        NumOps.register(BUILTIN);
        Lock.register(BUILTIN);
        BucketIndex.register(BUILTIN);
        RgwIndex.register(BUILTIN);
    }

    /** The classes every OSD serves. */
    public static ObjectClasses builtin() {
        return BUILTIN;
    }

    public synchronized ObjectClasses register(String className, String method, boolean writes, ClassMethod impl) {
        Invariants.check(!className.isEmpty() && !method.isEmpty(), "class method without a name: %s.%s", className, method);
        Method prev = classes.computeIfAbsent(className, k -> new TreeMap<>())
                .putIfAbsent(method, new Method(className, method, writes, impl));
        Invariants.check(prev == null, "object class method %s.%s registered twice", className, method);
        return this;
    }

    public synchronized Optional<Method> lookup(String className, String method) {
        return Optional.ofNullable(classes.getOrDefault(className, Map.of()).get(method));
    }
}
