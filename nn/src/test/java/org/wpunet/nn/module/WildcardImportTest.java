package org.wpunet.nn.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.StringWriter;
import java.net.URI;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 10: code that imports {@code org.wpunet.nn.module.*} and names the base class
 * compiles. (With the base class called Module, java.lang.Module made the name ambiguous.)
 */
class WildcardImportTest {
    @Test
    void aWildcardImportOfTheLayerPackageCompiles() {
        String src = "import org.wpunet.nn.module.*;\n"
                + "class Consumer { Layer net(Conv2d c) { return new Sequential(c, new ReLU()); } }\n";
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests run on a JDK");
        var file = new SimpleJavaFileObject(URI.create("string:///Consumer.java"), javax.tools.JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) { return src; }
        };
        var out = new StringWriter();
        var fm = javac.getStandardFileManager(null, null, null);
        boolean ok = javac.getTask(out, fm, null, List.of("-proc:none", "-d", System.getProperty("java.io.tmpdir") + "/wildcard-import-test",
                "-cp", System.getProperty("java.class.path")), null, List.of(file)).call();
        assertEquals("", ok ? "" : out.toString(), "compile errors");
    }
}
