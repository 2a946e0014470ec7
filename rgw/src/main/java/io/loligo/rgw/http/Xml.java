package io.loligo.rgw.http;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * S3's XML: a small streaming writer for responses, and a hardened DOM parser (no DTDs, no
 * external entities) for request documents. Element lookups match local names, so documents with
 * or without the S3 namespace both parse.
 */
public final class Xml {
    public static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
    private final StringBuilder out = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    private final List<String> open = new ArrayList<>();

    /** Opens the root element with the S3 namespace. */
    public static Xml doc(String root) {
        Xml x = new Xml();
        x.out.append('<').append(root).append(" xmlns=\"").append(NS).append("\">");
        x.open.add(root);
        return x;
    }

    /** A whole document that is one element with text (LocationConstraint). */
    public static Xml docText(String root, String text) {
        Xml x = new Xml();
        x.out.append('<').append(root).append(" xmlns=\"").append(NS).append("\">");
        x.escape(text);
        x.out.append("</").append(root).append('>');
        return x;
    }

    /** Opens the root element without a namespace (the Error document). */
    public static Xml plain(String root) {
        Xml x = new Xml();
        x.out.append('<').append(root).append('>');
        x.open.add(root);
        return x;
    }

    /** A fragment (no declaration, no root) to build apart and append with {@link #raw}. */
    public static Xml fragment() {
        Xml x = new Xml();
        x.out.setLength(0);
        return x;
    }

    /** Appends a finished fragment. */
    public Xml raw(Xml fragment) {
        out.append(fragment.out);
        return this;
    }

    public Xml start(String name) {
        out.append('<').append(name).append('>');
        open.add(name);
        return this;
    }

    /** Opens an element with one attribute (e.g. Grantee's xsi:type). */
    public Xml startWithAttrs(String name, String attrs) {
        out.append('<').append(name).append(' ').append(attrs).append('>');
        open.add(name);
        return this;
    }

    public Xml end() {
        String name = open.remove(open.size() - 1);
        out.append("</").append(name).append('>');
        return this;
    }

    /** An element with text; nothing when {@code value} is null. */
    public Xml elem(String name, Object value) {
        if (value != null) {
            out.append('<').append(name).append('>');
            escape(String.valueOf(value));
            out.append("</").append(name).append('>');
        }
        return this;
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append("&#").append((int) c).append(';');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    public byte[] bytes() {
        while (!open.isEmpty()) {
            end();
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- parsing ----

    /** Parses a request document; a broken one is MalformedXML. */
    public static Element parse(byte[] body) {
        if (body.length == 0) {
            throw S3Exception.malformedXml("empty document");
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(new ByteArrayInputStream(body)).getDocumentElement();
        } catch (Exception e) {
            throw S3Exception.malformedXml(String.valueOf(e.getMessage()));
        }
    }

    public static String name(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }

    /** Direct children named {@code name}. */
    public static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && name(e).equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    public static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    /** Text of the first child named {@code name}, or null. */
    public static String text(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? null : c.getTextContent();
    }

    public static boolean hasElementChildren(Node n) {
        NodeList nodes = n.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element) {
                return true;
            }
        }
        return false;
    }
}
