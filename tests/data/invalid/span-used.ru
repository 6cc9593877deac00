# rule: shape:Span-used
# focus: span:unused
# message: supports at least one claim
INSERT DATA { GRAPH graph:provenance {
  span:unused a oa:SpecificResource ; oa:hasSource text:cnc-ia-release-2025-11-04 ;
    oa:hasSelector selector:s04-training-data-quote, selector:s04-training-data-position } }
