package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.wpunet.core.io.AtomicFiles;

/**
 * A report built from blocks (headings, paragraphs, bullet lists, tables, figures) and written twice:
 * {@code report.md} with its figures as PNG files beside it, and {@code report.html}, the same content
 * in one self-contained file (figures embedded as base64 data URIs, a little CSS, no scripts). Inline
 * {@code `code`} in text becomes {@code <code>} in HTML; everything else is escaped.
 */
public final class ReportDocument {
    private sealed interface Block permits Heading, Paragraph, Bullets, Table, Figure {}

    private record Heading(int level, String text) implements Block {}

    private record Paragraph(String text) implements Block {}

    private record Bullets(List<String> items) implements Block {}

    private record Table(List<String> header, List<List<String>> rows) implements Block {}

    private record Figure(String file, String caption) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public ReportDocument(String title) { this.title = title; }

    public ReportDocument heading(String text) {
        blocks.add(new Heading(2, text));
        return this;
    }

    public ReportDocument paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    public ReportDocument bullets(List<String> items) {
        blocks.add(new Bullets(List.copyOf(items)));
        return this;
    }

    /** A table; every row has as many cells as the header. */
    public ReportDocument table(List<String> header, List<List<String>> rows) {
        for (List<String> r : rows)
            if (r.size() != header.size()) throw new IllegalArgumentException("table row " + r + " has " + r.size() + " cells, the header " + header.size());
        blocks.add(new Table(List.copyOf(header), rows.stream().map(List::copyOf).toList()));
        return this;
    }

    /** A figure: {@code file} is a PNG in the report's directory, named relative to it. */
    public ReportDocument figure(String file, String caption) {
        blocks.add(new Figure(file, caption));
        return this;
    }

    /** The Markdown text. */
    public String markdown() {
        StringBuilder b = new StringBuilder("# ").append(title).append("\n\n");
        for (Block block : blocks) {
            switch (block) {
                case Heading h -> b.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
                case Paragraph p -> b.append(p.text()).append("\n\n");
                case Bullets l -> {
                    for (String item : l.items()) b.append("- ").append(item).append('\n');
                    b.append('\n');
                }
                case Table t -> {
                    b.append("| ").append(String.join(" | ", t.header())).append(" |\n|");
                    b.append("---|".repeat(t.header().size())).append('\n');
                    for (List<String> r : t.rows()) b.append("| ").append(String.join(" | ", r)).append(" |\n");
                    b.append('\n');
                }
                case Figure f -> b.append("![").append(f.caption()).append("](").append(f.file()).append(")\n\n*")
                        .append(f.caption()).append("*\n\n");
            }
        }
        return b.toString();
    }

    /** The HTML page; figures are read from {@code dir} and embedded. */
    public String html(Path dir) throws IOException {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;"
                        + "line-height:1.45}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;"
                        + "text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}img{max-width:100%}"
                        + "figure{margin:1em 0}figcaption{font-style:italic;color:#444}code{background:#f3f3f3;padding:0 3px}</style>"
                        + "</head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        for (Block block : blocks) {
            switch (block) {
                case Heading h -> b.append("<h").append(h.level()).append('>').append(inline(h.text())).append("</h").append(h.level()).append(">\n");
                case Paragraph p -> b.append("<p>").append(inline(p.text())).append("</p>\n");
                case Bullets l -> {
                    b.append("<ul>\n");
                    for (String item : l.items()) b.append("<li>").append(inline(item)).append("</li>\n");
                    b.append("</ul>\n");
                }
                case Table t -> {
                    b.append("<table>\n<tr>");
                    for (String h : t.header()) b.append("<th>").append(inline(h)).append("</th>");
                    b.append("</tr>\n");
                    for (List<String> r : t.rows()) {
                        b.append("<tr>");
                        for (String c : r) b.append("<td>").append(inline(c)).append("</td>");
                        b.append("</tr>\n");
                    }
                    b.append("</table>\n");
                }
                case Figure f -> {
                    byte[] png = Files.readAllBytes(dir.resolve(f.file()));
                    b.append("<figure><img alt=\"").append(escape(f.caption())).append("\" src=\"data:image/png;base64,")
                            .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(inline(f.caption()))
                            .append("</figcaption></figure>\n");
                }
            }
        }
        return b.append("</body></html>\n").toString();
    }

    /** Writes {@code dir/report.md} and {@code dir/report.html} (the figures must already be in {@code dir}); returns report.md. */
    public Path write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve("report.html"), html(dir));
        Path md = dir.resolve("report.md");
        AtomicFiles.writeString(md, markdown());
        return md;
    }

    /** Escapes HTML and turns `code` spans and **bold** into tags. */
    static String inline(String text) {
        String[] parts = text.split("`", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String e = escape(parts[i]);
            if (i % 2 == 1 && i < parts.length - 1) b.append("<code>").append(e).append("</code>");
            else b.append(e.replaceAll("\\*\\*(.+?)\\*\\*", "<b>$1</b>"));
        }
        return b.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
