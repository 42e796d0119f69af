import { beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../validator.js';
import { issuesOf, validatorWith } from './rule-harness.test-support.js';

let validator: Validator;
beforeAll(async () => {
  validator = await validatorWith([]);
});

const XHTML = 'xmlns="http://www.w3.org/1999/xhtml"';
const narrative = (div: string) => issuesOf(validator, { resourceType: 'Patient', text: { status: 'generated', div } });
const inDiv = (inner: string) => narrative(`<div ${XHTML}>${inner}</div>`);

describe('narrative (txt-1, txt-2)', () => {
  it('accepts basic formatting, tables, lists, links and images', () => {
    expect(inDiv('Martin')).toEqual([]);
    expect(inDiv('<p class="x" style="color:red">Alice <b>Martin</b> <a href="https://esante.gouv.fr/">ANS</a></p>')).toEqual([]);
    expect(inDiv('<table border="1"><tr><th scope="col">Poids</th></tr><tr><td colspan="2">72 kg</td></tr></table><ul><li>un</li></ul>')).toEqual([]);
    expect(inDiv('<img src="data:image/png;base64,iVBORw0K" alt="courbe"/>')).toEqual([]);
    expect(inDiv('<!-- </div> --><![CDATA[ <script> ]]>texte')).toEqual([]);
  });
  it('is one div in the XHTML namespace, well-formed', () => {
    expect(narrative('<p>Martin</p>')).toEqual(['narrative-not-div@Patient.text.div']);
    expect(narrative('<div>Martin</div>')).toEqual(['narrative-namespace@Patient.text.div']);
    for (const bad of [
      `<div ${XHTML}><b>x</div>`,
      `<div ${XHTML} id="a" id="b">x</div>`,
      `<div ${XHTML} id=a>x</div>`,
      `<div ${XHTML}>x</div><div ${XHTML}/>`,
    ]) {
      expect(narrative(bad), bad).toEqual(['narrative-not-xhtml@Patient.text.div']);
    }
    expect(narrative(`<div ${XHTML}>&nbsp;</div>`)).toEqual(['narrative-not-xhtml@Patient.text.div']);
  });
  it('refuses active content: scripts, frames, objects, forms, event attributes, active URLs (txt-1)', () => {
    for (const element of ['script', 'iframe', 'object', 'embed', 'form', 'input', 'style', 'link', 'base', 'svg', 'body']) {
      expect(inDiv(`x<${element}/>`), element).toEqual(['narrative-element@Patient.text.div']);
    }
    expect(inDiv('x<script src="https://evil.example/x.js"/>')).toEqual(['narrative-element@Patient.text.div', 'narrative-attribute@Patient.text.div']);
    expect(inDiv('<img src="x" onerror="alert(1)"/>')).toEqual(['narrative-attribute@Patient.text.div']);
    expect(inDiv('<a href="javascript:alert(1)">x</a>')).toEqual(['narrative-url@Patient.text.div']);
    expect(inDiv('<a href=" Java&#9;Script:alert(1)">x</a>')).toEqual(['narrative-url@Patient.text.div']);
    expect(inDiv('<a href="data:text/html,&lt;script&gt;">x</a>')).toEqual(['narrative-url@Patient.text.div']);
    expect(inDiv('<a href="#p1" onclick="x()" onmouseover="y()">x</a>')).toEqual([
      'narrative-attribute@Patient.text.div',
      'narrative-attribute@Patient.text.div',
    ]);
  });
  it('reports each kind of problem once, and at most ten', () => {
    expect(inDiv('x<iframe/>'.repeat(1000))).toEqual(['narrative-element@Patient.text.div']);
    const attributes = Array.from({ length: 50 }, (_, i) => `on${i}="x"`).join(' ');
    expect(inDiv(`<b ${attributes}>x</b>`)).toHaveLength(10);
  });
  it('has some content that is not whitespace (txt-2)', () => {
    expect(inDiv(' <p> </p> ')).toEqual(['narrative-empty@Patient.text.div']);
    expect(inDiv('<img src="#photo"/>')).toEqual([]);
  });
  it('reads a div nested 900 deep (under the parser bound of 1,000)', () => {
    expect(inDiv(`${'<span>'.repeat(900)}x${'</span>'.repeat(900)}`)).toEqual([]);
  });
});
