package org.wpunet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportDocumentTest {
    @Test
    void markdownAndHtmlCarryTheSameContent(@TempDir Path dir) throws Exception {
        Figures.writePng(dir.resolve("f.png"), new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB));
        ReportDocument d = new ReportDocument("T").heading("H").paragraph("a `x<y` and **b** & c")
                .table(List.of("m", "v"), List.of(List.of("A", "0.5"))).figure("f.png", "cap");
        String md = d.markdown();
        assertEquals("# T\n\n## H\n\na `x<y` and **b** & c\n\n| m | v |\n|---|---|\n| A | 0.5 |\n\n![cap](f.png)\n\n*cap*\n\n", md);
        String html = d.html(dir);
        assertTrue(html.contains("<p>a <code>x&lt;y</code> and <b>b</b> &amp; c</p>"), html);
        assertTrue(html.contains("<tr><td>A</td><td>0.5</td></tr>"), html);
        String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("f.png")));
        assertTrue(html.contains("src=\"data:image/png;base64," + b64 + "\""), html);
        Path md2 = d.write(dir);
        assertEquals(md, Files.readString(md2));
        assertEquals(html, Files.readString(dir.resolve("report.html")));
    }

    @Test
    void aRaggedTableIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ReportDocument("T").table(List.of("a", "b"), List.of(List.of("1"))));
        assertTrue(e.getMessage().contains("has 1 cells, the header 2"), e.getMessage());
    }
}
