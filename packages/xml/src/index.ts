export { FhirXml, type FromXmlResult } from './xml.js';
export { readXmlTree, childElements, directText, MAX_XML_DEPTH, type XmlElement, type XmlTreeResult } from './xml-tree.js';
export { readXhtml, XHTML_NS, type XhtmlResult } from './xhtml.js';
