CREATE TABLE t0 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t1 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t2 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t3 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t4 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t5 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t6 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t7 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t8 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t9 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t10 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t11 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t12 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t13 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t14 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t15 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t16 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t17 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t18 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t19 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t20 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t21 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t22 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t23 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t24 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t25 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t26 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t27 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t28 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t29 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t30 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t31 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t32 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t33 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t34 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t35 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t36 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t37 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t38 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t39 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t40 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t41 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t42 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t43 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t44 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t45 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t46 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t47 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t48 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t49 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t50 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t51 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t52 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t53 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t54 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t55 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t56 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t57 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t58 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t59 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t60 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t61 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t62 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t63 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t64 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t65 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t66 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t67 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t68 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t69 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t70 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t71 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t72 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t73 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t74 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t75 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t76 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t77 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t78 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t79 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t80 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t81 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t82 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t83 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t84 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t85 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t86 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t87 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t88 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t89 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t90 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t91 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t92 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t93 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t94 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t95 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t96 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t97 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t98 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t99 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t100 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t101 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t102 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t103 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t104 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t105 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t106 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t107 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t108 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t109 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t110 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t111 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t112 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t113 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t114 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t115 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t116 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t117 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t118 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t119 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t120 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t121 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t122 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t123 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t124 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t125 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t126 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t127 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t128 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t129 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t130 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t131 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t132 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t133 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t134 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t135 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t136 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t137 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t138 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t139 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t140 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t141 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t142 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t143 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t144 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t145 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t146 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t147 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t148 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t149 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t150 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t151 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t152 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t153 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t154 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t155 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t156 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t157 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t158 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t159 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t160 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t161 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t162 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t163 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t164 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t165 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t166 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t167 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t168 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t169 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t170 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t171 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t172 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t173 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t174 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t175 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t176 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t177 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t178 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t179 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t180 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t181 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t182 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t183 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t184 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t185 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t186 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t187 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t188 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t189 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t190 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t191 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t192 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t193 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t194 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t195 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t196 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t197 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t198 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t199 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t200 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t201 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t202 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t203 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t204 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t205 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t206 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t207 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t208 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t209 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t210 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t211 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t212 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t213 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t214 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t215 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t216 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t217 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t218 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t219 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t220 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t221 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t222 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t223 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t224 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t225 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t226 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t227 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t228 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t229 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t230 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t231 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t232 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t233 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t234 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t235 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t236 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t237 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t238 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t239 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t240 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t241 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t242 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t243 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t244 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t245 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t246 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t247 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t248 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t249 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t250 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t251 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t252 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t253 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t254 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t255 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t256 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t257 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t258 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t259 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t260 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t261 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t262 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t263 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t264 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t265 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t266 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t267 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t268 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t269 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t270 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t271 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t272 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t273 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t274 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t275 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t276 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t277 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t278 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t279 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t280 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t281 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t282 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t283 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t284 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t285 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t286 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t287 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t288 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t289 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t290 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t291 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t292 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t293 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t294 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t295 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t296 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t297 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t298 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t299 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t300 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t301 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t302 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t303 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t304 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t305 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t306 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t307 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t308 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t309 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t310 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t311 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t312 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t313 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t314 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t315 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t316 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t317 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t318 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t319 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t320 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t321 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t322 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t323 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t324 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t325 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t326 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t327 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t328 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t329 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t330 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t331 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t332 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t333 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t334 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t335 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t336 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t337 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t338 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t339 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t340 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t341 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t342 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t343 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t344 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t345 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t346 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t347 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t348 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t349 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t350 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t351 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t352 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t353 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t354 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t355 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t356 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t357 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t358 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t359 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t360 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t361 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t362 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t363 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t364 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t365 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t366 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t367 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t368 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t369 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t370 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t371 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t372 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t373 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t374 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t375 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t376 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t377 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t378 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t379 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t380 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t381 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t382 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t383 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t384 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t385 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t386 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t387 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t388 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t389 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t390 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t391 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t392 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t393 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t394 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t395 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t396 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t397 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t398 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
--> statement-breakpoint
CREATE TABLE t399 (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x');
