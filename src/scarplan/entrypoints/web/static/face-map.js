/* Face map behaviour for partials/face_map.html.
 *
 * All listeners are delegated from `document`, because HTMX may swap the map (and the
 * region <select>) in and out at any time; nothing is bound to a specific element.
 * Plain ES2017, no dependencies, no inline handlers (CSP friendly).
 */
(function () {
  'use strict';

  // hx-boost or a swapped-in page can load this file twice; listeners must bind once.
  if (window.scarplanFaceMapLoaded) {
    return;
  }
  window.scarplanFaceMapLoaded = true;

  const SELECT_ID = 'new-lesion-region';
  const STATUS_ID = 'face-map-status';
  const REGION_SELECTOR = '.face-region';

  // Arrow-key neighbours as seen on screen (the viewer's left is the patient's right).
  // Lists are in order of preference; the first one present in the map wins.
  const NEIGHBOURS = {
    forehead: { left: ['temple_right'], right: ['temple_left'], up: [], down: ['nose'] },
    temple_right: { left: [], right: ['nose', 'forehead'], up: ['forehead'], down: ['cheek_right'] },
    temple_left: { left: ['nose', 'forehead'], right: [], up: ['forehead'], down: ['cheek_left'] },
    nose: { left: ['cheek_right'], right: ['cheek_left'], up: ['forehead'], down: ['perioral'] },
    cheek_right: { left: [], right: ['nose', 'perioral'], up: ['temple_right'], down: ['jaw_right'] },
    cheek_left: { left: ['nose', 'perioral'], right: [], up: ['temple_left'], down: ['jaw_left'] },
    perioral: { left: ['cheek_right', 'jaw_right'], right: ['cheek_left', 'jaw_left'], up: ['nose'], down: ['chin'] },
    chin: { left: ['jaw_right'], right: ['jaw_left'], up: ['perioral'], down: [] },
    jaw_right: { left: [], right: ['chin'], up: ['cheek_right'], down: [] },
    jaw_left: { left: ['chin'], right: [], up: ['cheek_left'], down: [] },
  };

  const ARROWS = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

  // True while the map itself dispatches `change` on the select, so the reverse binding
  // does not treat the map's own event as a user choice.
  let dispatchingChange = false;

  function regionsIn(root) {
    return Array.prototype.slice.call(root.querySelectorAll(REGION_SELECTOR));
  }

  function mapOf(region) {
    return region.closest('svg') || region.ownerDocument;
  }

  function labelOf(region) {
    return region.getAttribute('data-label') || region.getAttribute('data-region') || '';
  }

  // Visual and ARIA state only; no events. Passing null clears the selection.
  function highlight(map, region) {
    regionsIn(map).forEach(function (other) {
      const on = other === region;
      other.classList.toggle('is-selected', on);
      other.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
  }

  function announce(message) {
    const status = document.getElementById(STATUS_ID);
    if (!status) {
      return;
    }
    // Screen readers skip an unchanged live region; vary it so a repeat is still spoken.
    status.textContent = status.textContent === message ? message + '\u00a0' : message;
  }

  function syncSelect(regionId) {
    const select = document.getElementById(SELECT_ID);
    if (!select || select.tagName !== 'SELECT') {
      return;
    }
    const known = Array.prototype.some.call(select.options, function (option) {
      return option.value === regionId;
    });
    if (!known) {
      return;
    }
    select.value = regionId;
    dispatchingChange = true;
    try {
      select.dispatchEvent(new Event('change', { bubbles: true }));
    } finally {
      dispatchingChange = false;
    }
  }

  function choose(region) {
    const regionId = region.getAttribute('data-region');
    highlight(mapOf(region), region);
    syncSelect(regionId);
    announce('Selected: ' + labelOf(region));
    region.dispatchEvent(
      new CustomEvent('face-region-selected', { bubbles: true, detail: { region: regionId } })
    );
  }

  function focusNeighbour(region, direction) {
    const map = mapOf(region);
    const all = regionsIn(map);
    const entry = NEIGHBOURS[region.getAttribute('data-region')];
    let target = null;
    if (entry) {
      const candidates = entry[direction] || [];
      for (let i = 0; i < candidates.length && !target; i += 1) {
        target = map.querySelector(REGION_SELECTOR + '[data-region="' + candidates[i] + '"]');
      }
    } else {
      // A region the table does not know: fall back to document order.
      const step = direction === 'right' || direction === 'down' ? 1 : -1;
      target = all[all.indexOf(region) + step] || null;
    }
    if (target) {
      target.focus();
    }
  }

  function focusEnd(region, last) {
    const all = regionsIn(mapOf(region));
    const target = last ? all[all.length - 1] : all[0];
    if (target) {
      target.focus();
    }
  }

  // Make every map on the page show what the select says. With onlyIfUnset, a map that
  // already has a (server-rendered) selection is left alone.
  function reflectSelect(select, onlyIfUnset) {
    const maps = document.querySelectorAll('svg.face-map-svg');
    Array.prototype.forEach.call(maps, function (map) {
      if (onlyIfUnset && map.querySelector(REGION_SELECTOR + '.is-selected')) {
        return;
      }
      const match = select.value
        ? map.querySelector(REGION_SELECTOR + '[data-region="' + select.value + '"]')
        : null;
      if (match || !onlyIfUnset) {
        highlight(map, match);
      }
    });
  }

  document.addEventListener('click', function (event) {
    const region = event.target instanceof Element ? event.target.closest(REGION_SELECTOR) : null;
    if (region) {
      choose(region);
    }
  });

  document.addEventListener('keydown', function (event) {
    const region = event.target;
    if (!(region instanceof Element) || !region.matches(REGION_SELECTOR)) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === 'Enter' || event.key === ' ' || event.key === 'Spacebar') {
      event.preventDefault(); // Space would otherwise scroll the page.
      if (!event.repeat) {
        choose(region);
      }
    } else if (ARROWS[event.key]) {
      event.preventDefault();
      focusNeighbour(region, ARROWS[event.key]);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      focusEnd(region, event.key === 'End');
    }
  });

  document.addEventListener('change', function (event) {
    const select = event.target;
    if (dispatchingChange || !(select instanceof Element) || select.id !== SELECT_ID) {
      return;
    }
    reflectSelect(select, false);
  });

  // After load or an HTMX swap, a map rendered without a selection follows the select.
  function syncFromSelect() {
    const select = document.getElementById(SELECT_ID);
    if (select && select.tagName === 'SELECT') {
      reflectSelect(select, true);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', syncFromSelect);
  } else {
    syncFromSelect();
  }
  document.addEventListener('htmx:afterSettle', syncFromSelect);
})();
