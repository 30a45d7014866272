package org.wpunet.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Finds a shared library by soname in the CUDA search path and binds its functions with the
 * foreign-function API. Failures never escape as linkage errors: they become
 * {@link IllegalStateException}s naming the library and every directory searched.
 */
final class NativeLibrary {
    private final String name;
    private final Path path;
    private final SymbolLookup lookup;

    private NativeLibrary(String name, Path path, SymbolLookup lookup) {
        this.name = name;
        this.path = path;
        this.lookup = lookup;
    }

    /** Where CUDA libraries are looked for, in order: java.library.path, LD_LIBRARY_PATH, CUDA_HOME, defaults. */
    static List<Path> searchPath(Map<String, String> env, String javaLibraryPath) {
        LinkedHashSet<String> dirs = new LinkedHashSet<>();
        if (javaLibraryPath != null) for (String d : javaLibraryPath.split(":")) if (!d.isBlank()) dirs.add(d);
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(d);
        for (String var : new String[]{"CUDA_HOME", "CUDA_PATH"}) {
            String h = env.get(var);
            if (h != null && !h.isBlank()) {
                dirs.add(h + "/lib64");
                dirs.add(h + "/lib");
            }
        }
        dirs.add("/usr/local/cuda/lib64");
        dirs.add("/usr/lib/x86_64-linux-gnu");
        List<Path> out = new ArrayList<>();
        for (String d : dirs) out.add(Path.of(d));
        return out;
    }

    static List<Path> defaultSearchPath() { return searchPath(System.getenv(), System.getProperty("java.library.path")); }

    /**
     * Loads the first soname (in order of preference) found in the first directory holding it.
     * @throws IllegalStateException naming the sonames and the directories searched
     */
    static NativeLibrary load(String what, List<String> sonames, List<Path> dirs) {
        List<String> errors = new ArrayList<>();
        for (String so : sonames) {
            for (Path d : dirs) {
                Path p = d.resolve(so);
                if (!Files.exists(p)) continue;
                try {
                    return new NativeLibrary(so, p, SymbolLookup.libraryLookup(p, Arena.global()));
                } catch (Throwable t) { // IllegalArgumentException / LinkageError: record, try the next
                    errors.add(p + ": " + t.getMessage());
                }
            }
        }
        throw new IllegalStateException(what + " not found: looked for " + String.join(" or ", sonames) + " in "
                + dirs + (errors.isEmpty() ? "" : " (failed to open: " + String.join("; ", errors) + ")")
                + "; set CUDA_HOME or LD_LIBRARY_PATH");
    }

    String name() { return name; }

    Path path() { return path; }

    boolean has(String symbol) { return lookup.find(symbol).isPresent(); }

    /** A downcall handle for a C function; a missing symbol is an error naming the library. */
    MethodHandle fn(String symbol, FunctionDescriptor fd) {
        MemorySegment addr = lookup.find(symbol).orElseThrow(() ->
                new IllegalStateException("symbol " + symbol + " not found in " + path));
        return Linker.nativeLinker().downcallHandle(addr, fd);
    }
}
