export { FhirXml, extractXhtml, type FromXmlResult } from './xml.js';
