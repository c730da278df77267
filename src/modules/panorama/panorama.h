/* panorama.h: the enterprise 360 page (企业全景): one call answers everything the platform knows
 * about one enterprise, assembled from the sections the modules contribute through their
 * descriptors (struct module .section); this module never names another. */
#ifndef TIEJIAN_PANORAMA_H
#define TIEJIAN_PANORAMA_H

struct module;

extern const struct module panorama_module;

#endif
